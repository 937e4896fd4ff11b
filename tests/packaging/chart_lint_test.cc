// `helm lint --strict` passes with the default values and with each optional part turned on
// or off.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "packaging_tools.h"

namespace csp::packaging {
namespace {

struct LintCase {
  std::string name = {};
  std::vector<std::string> args = {};

  friend void PrintTo(const LintCase& c, std::ostream* os) { *os << c.name; }
};

class ChartLintTest : public PackagingTest, public ::testing::WithParamInterface<LintCase> {};

TEST_P(ChartLintTest, LintsStrictWithoutWarnings) {
  std::vector<std::string> argv = {HelmBinary()->string(), "lint", "--strict", ChartDir().string()};
  argv.insert(argv.end(), GetParam().args.begin(), GetParam().args.end());
  const test::CommandResult r = test::Run(argv);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out.find("[WARNING]"), std::string::npos) << r;
  EXPECT_EQ(r.out.find("[ERROR]"), std::string::npos) << r;
}

INSTANTIATE_TEST_SUITE_P(
    Values, ChartLintTest,
    ::testing::Values(
        LintCase{"Defaults", {}},
        LintCase{"NoAgentNoWebhookNoPolicy",
                 {"--set", "agent.enabled=false", "--set", "webhook.enabled=false", "--set",
                  "defaultPolicy.create=false"}},
        LintCase{"CertManager", {"--set", "webhook.certManager.enabled=true"}},
        LintCase{"OpenReports", {"--set", "reportApi=both", "--set", "crds.openreports=true"}},
        LintCase{"PinnedByDigest",
                 {"--set",
                  "image.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
                  "abcdef"}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::packaging
