#include "csp/agent/run_options.h"

#include <gtest/gtest.h>

#include <map>

namespace csp::agent {
namespace {

using Env = std::map<std::string, std::string>;

EnvLookup Lookup(Env env) {
  return [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

TEST(RunOptionsTest, Defaults) {
  Result<RunOptions> options = ParseRunOptions({"--node-name", "n1"}, Lookup({}));
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->node_name, "n1");
  EXPECT_EQ(options->root, "/");
  EXPECT_EQ(options->kubeconfig, "");
  EXPECT_EQ(options->listen_address, "0.0.0.0:8081");
  EXPECT_EQ(options->log_format, "text");
  EXPECT_EQ(options->log_level, "info");
  EXPECT_EQ(options->report_apis, std::vector<names::ReportApi>{names::ReportApi::kWgPolicyK8s});
  EXPECT_FALSE(options->help);
}

TEST(RunOptionsTest, ReportApiFromFlagOrEnvironment) {
  Result<RunOptions> flag = ParseRunOptions({"--node-name=n1", "--report-api=both"},
                                            Lookup({{"CSP_AGENT_REPORT_API", "openreports"}}));
  ASSERT_TRUE(flag) << flag.error().message;
  EXPECT_EQ(flag->report_apis, names::ReportApisOf("both"));
  Result<RunOptions> env =
      ParseRunOptions({"--node-name=n1"}, Lookup({{"CSP_AGENT_REPORT_API", "openreports"}}));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->report_apis, std::vector<names::ReportApi>{names::ReportApi::kOpenReports});
}

TEST(RunOptionsTest, RecordTakesCommaSeparatedProfileNames) {
  Result<RunOptions> flag = ParseRunOptions({"--node-name=n1", "--record", "web,batch-job"},
                                            Lookup({{"CSP_AGENT_RECORD", "other"}}));
  ASSERT_TRUE(flag) << flag.error().message;
  EXPECT_EQ(flag->record, (std::vector<std::string>{"web", "batch-job"}));
  Result<RunOptions> env = ParseRunOptions({"--node-name=n1"}, Lookup({{"CSP_AGENT_RECORD", "x"}}));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->record, std::vector<std::string>{"x"});
  EXPECT_TRUE(ParseRunOptions({"--node-name=n1"}, Lookup({}))->record.empty());
  for (const char* bad : {"web,,batch", "web,", "../x", "a b"}) {
    Result<RunOptions> refused = ParseRunOptions({"--node-name=n1", "--record", bad}, Lookup({}));
    ASSERT_FALSE(refused) << bad;
    EXPECT_NE(refused.error().message.find("--record"), std::string::npos)
        << refused.error().message;
  }
}

TEST(RunOptionsTest, EveryFlagInBothSpellings) {
  Result<RunOptions> options =
      ParseRunOptions({"--node-name=n1", "--root", "/host", "--kubeconfig=/k", "--listen-address",
                       ":9090", "--log-format=json", "--log-level", "debug"},
                      Lookup({}));
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->root, "/host");
  EXPECT_EQ(options->kubeconfig, "/k");
  EXPECT_EQ(options->listen_address, ":9090");
  EXPECT_EQ(options->log_format, "json");
  EXPECT_EQ(options->log_level, "debug");
}

TEST(RunOptionsTest, EnvironmentAndPrecedence) {
  const Env env = {{"NODE_NAME", "from-downward-api"},
                   {"CSP_AGENT_ROOT", "/host"},
                   {"CSP_AGENT_KUBECONFIG", "/k"},
                   {"CSP_AGENT_LISTEN_ADDRESS", "127.0.0.1:1"},
                   {"CSP_AGENT_LOG_FORMAT", "json"}};
  Result<RunOptions> options = ParseRunOptions({}, Lookup(env));
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->node_name, "from-downward-api");
  EXPECT_EQ(options->root, "/host");
  EXPECT_EQ(options->kubeconfig, "/k");
  EXPECT_EQ(options->listen_address, "127.0.0.1:1");
  EXPECT_EQ(options->log_format, "json");

  Env both = env;
  both["CSP_AGENT_NODE_NAME"] = "from-csp";
  EXPECT_EQ(ParseRunOptions({}, Lookup(both))->node_name, "from-csp");
  Result<RunOptions> flag_wins =
      ParseRunOptions({"--node-name", "flag", "--log-format", "text"}, Lookup(both));
  EXPECT_EQ(flag_wins->node_name, "flag");
  EXPECT_EQ(flag_wins->log_format, "text");
}

TEST(RunOptionsTest, HelpNeedsNothingElse) {
  Result<RunOptions> options = ParseRunOptions({"--help"}, Lookup({}));
  ASSERT_TRUE(options);
  EXPECT_TRUE(options->help);
}

struct BadCase {
  std::string name;
  std::vector<std::string> args;
  Env env;
  std::string error;
};

class RunOptionsErrorTest : public testing::TestWithParam<BadCase> {};

TEST_P(RunOptionsErrorTest, NamesTheProblem) {
  Result<RunOptions> options = ParseRunOptions(GetParam().args, Lookup(GetParam().env));
  ASSERT_FALSE(options);
  EXPECT_EQ(options.error().code, Code::kInvalidArgument);
  EXPECT_EQ(options.error().message, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RunOptionsErrorTest,
    testing::Values(
        BadCase{"no_node",
                {},
                {},
                "--node-name is required (or CSP_AGENT_NODE_NAME, or NODE_NAME from the "
                "downward API)"},
        BadCase{"unknown_flag", {"--node-name", "n", "--nodes"}, {}, "unknown flag --nodes"},
        BadCase{"stray_argument", {"--node-name", "n", "extra"}, {}, "unexpected argument extra"},
        BadCase{"missing_value", {"--node-name"}, {}, "--node-name needs a value"},
        BadCase{"empty_value", {"--node-name="}, {}, "--node-name: must not be empty"},
        BadCase{"relative_root",
                {"--node-name", "n", "--root", "host"},
                {},
                "--root: host is not an absolute path"},
        BadCase{"bad_format",
                {"--node-name", "n", "--log-format", "xml"},
                {},
                "--log-format: \"xml\" is not text or json"},
        BadCase{"bad_report_api",
                {"--node-name", "n", "--report-api", "openreports.io"},
                {},
                "--report-api: \"openreports.io\" is not wgpolicyk8s, openreports or both"},
        BadCase{"bad_format_from_env",
                {"--node-name", "n"},
                {{"CSP_AGENT_LOG_FORMAT", "yaml"}},
                "CSP_AGENT_LOG_FORMAT: \"yaml\" is not text or json"},
        BadCase{"bad_level_from_env",
                {"--node-name", "n"},
                {{"CSP_AGENT_LOG_LEVEL", "loud"}},
                "CSP_AGENT_LOG_LEVEL: \"loud\" is not debug, info, warn or error"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::agent
