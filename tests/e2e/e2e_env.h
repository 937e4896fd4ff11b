// Helpers for end-to-end tests against the local cluster that hack/cluster.sh starts.
//
// The ctest fixture (tests/e2e/CMakeLists.txt) brings one cluster up for the suite and tells
// the tests where it is through the environment:
//   CSP_E2E_KUBECONFIG         admin kubeconfig (falls back to KUBECONFIG)
//   CSP_E2E_DEV_KUBECONFIG     token user `dev` (group dev-team), no rights until bound
//   CSP_E2E_NOBODY_KUBECONFIG  token user `nobody`, never any rights
//   CSP_E2E_NODES              number of kwok nodes the fixture created
//   CSP_KUBECTL                kubectl to run (falls back to `kubectl` on PATH)
//   CSP_REPO_ROOT, CSP_BUILD_DIR  (fall back to the folders this binary was configured with)
//   CSP_E2E_KEEP_NAMESPACES=1  keep each test's namespace for debugging
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "subprocess.h"

namespace csp::e2e {

// Running programs comes from tests/support/subprocess.h (shared with the CLI tests).
using ::csp::test::CommandResult;

// Inside a plain TEST() body, call it as csp::e2e::Run: an unqualified Run names the private
// ::testing::Test::Run. E2ETest fixtures may call Run unqualified (it forwards).
using ::csp::test::Run;

// kubectl as the cluster admin (system:masters).
CommandResult Kubectl(const std::vector<std::string>& args, const std::string& stdin_data = "");

// kubectl as a static-token identity: "dev" or "nobody" (or "admin").
CommandResult KubectlAs(const std::string& identity, const std::vector<std::string>& args,
                        const std::string& stdin_data = "");

// Admin kubectl with `-o json` appended, parsed. On a failed command or unparsable output it adds
// a test failure (with the command's output) and returns an empty object, so that
// `.value("items", json::array())` still works.
nlohmann::json KubectlJson(const std::vector<std::string>& args);

std::string Kubeconfig();  // admin kubeconfig; empty when no cluster was configured
std::string KubeconfigFor(const std::string& identity);  // empty for an unknown identity
std::string KubectlPath();
std::string RepoRoot();
std::string BuildDir();

// Value of an environment variable, if set and not empty.
std::optional<std::string> EnvVar(const char* name);

// Polls fn every 200 ms until it returns true or the timeout passes (returns the last value).
bool Eventually(const std::function<bool()>& fn, std::chrono::milliseconds timeout);

// Waits until each CRD (by name: "rollouts.argoproj.io") has the condition Established=True.
// Polls: `kubectl wait --for=condition=Established` fails at once, instead of waiting, while a
// CRD just created has no conditions yet. The failure names the CRDs still not established.
::testing::AssertionResult WaitCrdsEstablished(
    const std::vector<std::string>& crds, std::chrono::seconds timeout = std::chrono::seconds(60));

// Each test gets its own fresh namespace, created in SetUp and deleted without waiting in
// TearDown. The namespace carries the label csp-e2e=true so leftovers are easy to find.
class E2ETest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  const std::string& ns() const { return ns_; }

  // Hides ::testing::Test::Run() so that test bodies can call Run(...) unqualified.
  static CommandResult Run(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                           int timeout_seconds = 60) {
    return ::csp::e2e::Run(argv, stdin_data, timeout_seconds);
  }

  // Creates another namespace owned by this test (deleted in TearDown too); returns its name.
  std::string CreateExtraNamespace(const std::string& suffix);

 private:
  std::string ns_;
  std::vector<std::string> namespaces_;  // all namespaces to delete in TearDown
};

// Compacts the e2e cluster's etcd history up to `revision` through etcd's JSON gateway (the
// port comes from the cluster.env hack/cluster.sh writes), as the apiserver's periodic
// compaction would after five minutes: watches from older versions then get 410 Gone.
csp::Status CompactEtcd(const std::string& revision);

// A DNS-1123 label (lowercase alphanumerics and '-', at most 63 chars) built from text plus a
// random suffix, e.g. "e2e-cluster-deployment-7f3a9c".
std::string UniqueName(const std::string& text);

}  // namespace csp::e2e
