// Shared by the runtime tests: a busybox bundle per test (skipped with the reason when runc
// cannot run containers here) and profiles rendered by the real csp-agent, handed over the way
// containerd hands them to runc.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "busybox_bundle.h"
#include "containerd_seccomp.h"
#include "subprocess.h"

namespace csp::runtime_test {

class RuntimeTest : public testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> reason = RuncUnavailable()) GTEST_SKIP() << *reason;
    Result<std::unique_ptr<BusyboxBundle>> bundle = BusyboxBundle::Create();
    ASSERT_TRUE(bundle) << bundle.error().message;
    bundle_ = std::move(*bundle);
  }

  std::unique_ptr<BusyboxBundle> bundle_;
};

// `csp-agent render ARGS...`, as the node file's text.
inline std::string Render(std::vector<std::string> args) {
  args.insert(args.begin(), {CSP_AGENT_PATH, "render"});
  csp::test::CommandResult r = csp::test::Run(args);
  EXPECT_EQ(r.exit_code, 0) << r;
  return r.out;
}

// The node file as containerd passes it to runc (linux.seccomp); fails the test if containerd
// would refuse it.
inline nlohmann::json ForRuntime(const std::string& profile_file_text) {
  Result<nlohmann::json> seccomp = ContainerdLinuxSeccomp(profile_file_text);
  EXPECT_TRUE(seccomp) << seccomp.error().message;
  return seccomp ? *seccomp : nlohmann::json();
}

}  // namespace csp::runtime_test
