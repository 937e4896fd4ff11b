// The three binaries print one version, the project's (operator/version, from project(VERSION)).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "subprocess.h"

namespace {

struct Binary {
  std::string test_name;
  std::string name;
  std::vector<std::string> command;  // path first
};

void PrintTo(const Binary& b, std::ostream* os) { *os << b.test_name; }

class VersionTest : public ::testing::TestWithParam<Binary> {};

TEST_P(VersionTest, PrintsTheProjectVersion) {
  const csp::test::CommandResult r = csp::test::Run(GetParam().command, "", 60);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, GetParam().name + " " + CSP_PROJECT_VERSION + "\n") << r;
}

INSTANTIATE_TEST_SUITE_P(
    Binaries, VersionTest,
    ::testing::Values(
        Binary{"cspctl_version", "cspctl", {CSPCTL_PATH, "version"}},
        Binary{"csp_operator_version_flag", "csp-operator", {CSP_OPERATOR_PATH, "--version"}},
        Binary{"csp_agent_version", "csp-agent", {CSP_AGENT_PATH, "version"}},
        Binary{"csp_agent_version_flag", "csp-agent", {CSP_AGENT_PATH, "--version"}}),
    [](const auto& info) { return info.param.test_name; });

}  // namespace
