// spec.podSecurityStandard through the operator's admission webhook against the real
// kube-apiserver, on Pod Security Admission's own fixtures (hack/fetch-psa-fixtures.sh): with a
// Deny policy holding only the preset, every pass/ fixture of the newest version is admitted
// and every fail/ fixture is refused by that policy (server-side dry runs: nothing is created).
// The engine-level and cspctl runs of the same fixtures are tests/policy/pss_fixtures_test.cc
// and tests/cli.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

class OperatorPssTest : public WebhookOperatorTest {
 protected:
  // The newest v1.<minor> folder of `level`, or "" when the fixtures are not fetched.
  static std::string FixtureDir(const std::string& level) {
    CommandResult r =
        Run({"bash", RepoRoot() + "/hack/fetch-psa-fixtures.sh", "--newest", level}, "", 300);
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return r.exit_code == 0 ? out : "";
  }

  static std::vector<fs::path> Files(const std::string& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }

  // A server-side dry run of `file` in ns(). Fixture names hold '_', which the API server
  // refuses in a Pod name: '-' instead.
  CommandResult DryRun(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    std::string yaml = text.str();
    const std::string key = "\n  name: ";
    if (auto at = yaml.find(key); at != std::string::npos) {
      for (std::size_t i = at + key.size(); i < yaml.size() && yaml[i] != '\n'; ++i) {
        if (yaml[i] == '_') yaml[i] = '-';
      }
    }
    return Kubectl({"create", "-n", ns(), "--dry-run=server", "-f", "-"}, yaml);
  }
};

TEST_F(OperatorPssTest, WebhookAgreesWithPodSecurityAdmissionOnItsFixtures) {
  for (const std::string level : {"baseline", "restricted"}) {
    SCOPED_TRACE(level);
    const std::string dir = FixtureDir(level);
    if (dir.empty()) {
      if (std::getenv("CI") != nullptr) FAIL() << "PSA fixtures not available";
      GTEST_SKIP() << "PSA fixtures not fetched (hack/fetch-psa-fixtures.sh)";
    }
    json spec = {
        {"match",
         {{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns()}}}}}}},
        {"admission", "Deny"},
        {"podSecurityStandard", level}};
    const std::string policy = CreatePolicy("e2e-pss-" + level, spec);
    if (level == "baseline") StartWithWebhook();
    // Until the webhook judges the new policy: a fail fixture is refused by it.
    const fs::path probe = Files(dir + "/fail").front();
    CommandResult last;
    ASSERT_TRUE(Eventually(
        [&] {
          last = DryRun(probe);
          return last.exit_code != 0 &&
                 last.err.find("policy \"" + policy + "\"") != std::string::npos;
        },
        60s))
        << last;
    int admitted = 0, refused = 0;
    for (const fs::path& f : Files(dir + "/pass")) {
      CommandResult r = DryRun(f);
      EXPECT_EQ(r.exit_code, 0) << level << " pass/" << f.filename().string() << ": " << r.err;
      admitted += r.exit_code == 0;
    }
    int invalid = 0;
    for (const fs::path& f : Files(dir + "/fail")) {
      CommandResult r = DryRun(f);
      const bool by_policy = r.err.find("policy \"" + policy + "\"") != std::string::npos;
      // Some fixtures are objects the API server's own validation refuses before admission
      // (procMount Unmasked without hostUsers: false): never admitted either way.
      const bool by_validation = !by_policy && r.err.find("is invalid:") != std::string::npos;
      EXPECT_TRUE(r.exit_code != 0 && (by_policy || by_validation))
          << level << " fail/" << f.filename().string() << " was not refused by " << policy << ": "
          << r;
      refused += r.exit_code != 0 && by_policy;
      invalid += r.exit_code != 0 && by_validation;
    }
    std::cout << level << ": " << admitted << " pass fixtures admitted, " << refused
              << " fail fixtures refused by the policy, " << invalid
              << " by the API server's validation first\n";
    // The next level's policy replaces this one (both would judge the namespace).
    Kubectl({"delete", "csp", policy, "--wait=true"});
  }
}

}  // namespace
}  // namespace csp::e2e
