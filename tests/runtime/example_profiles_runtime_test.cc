// The example SecurityProfiles (examples/profiles/) under the real runtime: rendered by
// `csp-agent render -f`, handed to runc as containerd does (seccomp) or loaded into the kernel
// and named in the container's config (AppArmor).
#include <fstream>

#include "probe_output.h"
#include "runtime_fixture.h"

namespace csp::runtime_test {
namespace {

using csp::test::CommandResult;

std::string Example(const std::string& name) {
  return std::string(CSP_REPO_ROOT) + "/examples/profiles/" + name;
}

class ExampleProfileTest : public RuntimeTest {};

nlohmann::json StaticServerProfile() {
  return ForRuntime(Render({"-f", Example("seccomp-static-server.yaml")}));
}

// The allow-list for a small static network server, with allowPrivilegeEscalation: false as
// the example asks: the static probe plays the server.
TEST_F(ExampleProfileTest, StaticServerServesTcpAndNothingElse) {
  CommandResult r = bundle_->Run(
      {.args = {"/probe", "tcp_loopback", "socket_inet", "socket_unix", "clone_newuts", "mount"},
       .capabilities = HeldCapabilities(),
       .seccomp = StaticServerProfile(),
       .no_new_privileges = true});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ParseProbeOutput(r.out), (std::map<std::string, int>{{"tcp_loopback", 0},
                                                                 {"socket_inet", 0},
                                                                 {"socket_unix", EPERM},
                                                                 {"clone_newuts", EPERM},
                                                                 {"mount", EPERM}}))
      << r;
}

// Without no_new_privileges runc loads the filter before dropping privileges, and the
// allow-list does not cover runc's own calls: the container does not start, as the example
// warns.
TEST_F(ExampleProfileTest, StaticServerNeedsNoNewPrivileges) {
  CommandResult r = bundle_->Run({.args = {"/probe", "socket_inet"},
                                  .capabilities = HeldCapabilities(),
                                  .seccomp = StaticServerProfile(),
                                  .no_new_privileges = false});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("operation not permitted"), std::string::npos) << r;
}

// The kernel's own switch: Y when AppArmor is enabled (securityfs then also has
// /sys/kernel/security/apparmor).
bool AppArmorEnabled() {
  std::ifstream enabled("/sys/module/apparmor/parameters/enabled");
  std::string value;
  return static_cast<bool>(enabled >> value) && value == "Y";
}

// read-only-app: writable only /tmp, /run/app and a few devices. /run and /dev/shm are
// writable tmpfs mounts in every container, so a refused write there is AppArmor's.
TEST_F(ExampleProfileTest, ReadOnlyAppArmorProfileConfinesWrites) {
  if (!AppArmorEnabled()) {
    GTEST_SKIP() << "AppArmor is not enabled in this kernel "
                    "(/sys/module/apparmor/parameters/enabled is not Y): nothing can load "
                    "read-only-app; see docs/agent.md";
  }
  const std::string text = Render({"-f", Example("apparmor-read-only-app.yaml")});
  csp::test::CommandResult load = csp::test::Run({"apparmor_parser", "-r", "-K"}, text);
  ASSERT_EQ(load.exit_code, 0) << load;
  CommandResult r = bundle_->Run(
      {.args = {"sh", "-c",
                "touch /tmp/x && echo tmp; mkdir -p /run/app 2>/dev/null; touch /run/x || echo "
                "no run; touch /dev/shm/x || echo no shm"},
       .capabilities = HeldCapabilities(),
       .apparmor_profile = "read-only-app"});
  csp::test::Run({"apparmor_parser", "-R"}, text);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "tmp\nno run\nno shm\n") << r;
}

}  // namespace
}  // namespace csp::runtime_test
