// csp-operator's flags and environment variables: defaults, precedence, and errors that name
// the flag or variable.
#include "csp/manager/options.h"

#include <gtest/gtest.h>

#include <map>

namespace csp::manager {
namespace {

struct Case {
  std::string name;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string error;  // empty: parses
  std::function<void(const Options&)> check = nullptr;
};

class OptionsTest : public ::testing::TestWithParam<Case> {};

TEST_P(OptionsTest, Parses) {
  const Case& c = GetParam();
  auto env = [&c](std::string_view name) -> std::optional<std::string> {
    auto it = c.env.find(std::string(name));
    if (it == c.env.end()) return std::nullopt;
    return it->second;
  };
  auto options = ParseOptions(c.args, env);
  if (!c.error.empty()) {
    ASSERT_FALSE(options) << "parsed, expected: " << c.error;
    EXPECT_EQ(options.error().message, c.error);
    return;
  }
  ASSERT_TRUE(options) << options.error().message;
  c.check(*options);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OptionsTest,
    ::testing::Values(
        Case{"Defaults",
             {},
             {},
             "",
             [](const Options& o) {
               EXPECT_EQ(o.listen_address, "0.0.0.0:8080");
               EXPECT_EQ(o.log_format, "text");
               EXPECT_EQ(o.workers, 4);
               EXPECT_TRUE(o.leader_elect);
               EXPECT_EQ(o.lease_name, "csp-operator");
               EXPECT_EQ(o.lease_duration, 15);
               EXPECT_FALSE(o.help);
             }},
        Case{"FlagsWithSpaceAndEquals",
             {"--workers", "8", "--log-format=json", "--kubeconfig", "/k", "--kube-api-qps=2.5"},
             {},
             "",
             [](const Options& o) {
               EXPECT_EQ(o.workers, 8);
               EXPECT_EQ(o.log_format, "json");
               EXPECT_EQ(o.kubeconfig, "/k");
               EXPECT_DOUBLE_EQ(o.kube_api_qps, 2.5);
             }},
        Case{"EnvironmentSetsAndFlagWins",
             {"--workers", "2"},
             {{"CSP_WORKERS", "6"}, {"CSP_LOG_FORMAT", "json"}, {"CSP_LEADER_ELECT", "false"}},
             "",
             [](const Options& o) {
               EXPECT_EQ(o.workers, 2);
               EXPECT_EQ(o.log_format, "json");
               EXPECT_FALSE(o.leader_elect);
             }},
        Case{"SwitchAloneMeansTrue",
             {"--leader-elect"},
             {{"CSP_LEADER_ELECT", "false"}},
             "",
             [](const Options& o) { EXPECT_TRUE(o.leader_elect); }},
        Case{"SwitchWithValue",
             {"--leader-elect=false"},
             {},
             "",
             [](const Options& o) { EXPECT_FALSE(o.leader_elect); }},
        Case{"Help", {"-h"}, {}, "", [](const Options& o) { EXPECT_TRUE(o.help); }},
        Case{"BadNumber", {"--workers", "x"}, {}, "--workers: \"x\" is not a whole number"},
        Case{"TooFewWorkers", {"--workers=0"}, {}, "--workers: \"0\" is below 1"},
        Case{"BadEnum",
             {"--log-format", "xml"},
             {},
             "--log-format: \"xml\" is not one of text, json"},
        Case{"BadEnvironmentNamesTheVariable",
             {},
             {{"CSP_LOG_LEVEL", "loud"}},
             "CSP_LOG_LEVEL: \"loud\" is not one of debug, info, warn, error"},
        Case{"UnknownFlag", {"--wrokers", "2"}, {}, "unknown flag --wrokers (see --help)"},
        Case{"MissingValue", {"--workers"}, {}, "--workers needs a value"},
        Case{"Positional", {"run"}, {}, "unexpected argument \"run\" (see --help)"},
        Case{"RenewDeadlineBelowLease",
             {"--lease-duration", "4", "--renew-deadline", "4"},
             {},
             "--renew-deadline (4) must be below --lease-duration (4)"},
        Case{"RetryPeriodBelowRenewDeadline",
             {"--lease-duration", "4", "--renew-deadline", "3", "--retry-period", "3"},
             {},
             "--retry-period (3) times 1.2 must be below --renew-deadline (3)"},
        Case{"WebhookDefaults",
             {},
             {},
             "",
             [](const Options& o) {
               EXPECT_EQ(o.webhook_listen_address, "0.0.0.0:9443");
               EXPECT_EQ(o.webhook_url, "");
               EXPECT_EQ(o.webhook_failure_policy, "Fail");
               EXPECT_EQ(o.webhook_timeout_seconds, 5);
               EXPECT_EQ(o.webhook_exclude_namespaces, std::vector<std::string>{"kube-system"});
               EXPECT_EQ(o.webhook_cert_provider, "operator");
             }},
        Case{"WebhookFlags",
             {"--webhook-listen-address=", "--webhook-exclude-namespaces", " ops, , monitoring ",
              "--webhook-failure-policy=Ignore", "--webhook-timeout-seconds=30"},
             {{"CSP_WEBHOOK_CERT_PROVIDER", "external"}},
             "",
             [](const Options& o) {
               EXPECT_EQ(o.webhook_listen_address, "");
               EXPECT_EQ(o.webhook_exclude_namespaces,
                         (std::vector<std::string>{"ops", "monitoring"}));
               EXPECT_EQ(o.webhook_failure_policy, "Ignore");
               EXPECT_EQ(o.webhook_timeout_seconds, 30);
               EXPECT_EQ(o.webhook_cert_provider, "external");
             }},
        Case{"ReportApiDefaultsToWgPolicyK8s",
             {},
             {},
             "",
             [](const Options& o) { EXPECT_EQ(o.report_api, "wgpolicyk8s"); }},
        Case{"ReportApiFlagAndVariable",
             {"--report-api=both"},
             {{"CSP_REPORT_API", "openreports"}},
             "",
             [](const Options& o) { EXPECT_EQ(o.report_api, "both"); }},
        Case{"ReportApiFromTheVariable",
             {},
             {{"CSP_REPORT_API", "openreports"}},
             "",
             [](const Options& o) { EXPECT_EQ(o.report_api, "openreports"); }},
        Case{"ReportApiEnum",
             {"--report-api", "openreports.io"},
             {},
             "--report-api: \"openreports.io\" is not one of wgpolicyk8s, openreports, both"},
        Case{"WebhookTimeoutAbove30",
             {"--webhook-timeout-seconds=31"},
             {},
             "--webhook-timeout-seconds: \"31\" is above 30"},
        Case{"WebhookFailurePolicyEnum",
             {"--webhook-failure-policy=fail"},
             {},
             "--webhook-failure-policy: \"fail\" is not one of Fail, Ignore"},
        Case{"ShortLeaseForTests",
             {"--lease-duration", "4", "--renew-deadline", "3", "--retry-period", "1"},
             {},
             "",
             [](const Options& o) { EXPECT_EQ(o.retry_period, 1); }}),
    [](const auto& info) { return info.param.name; });

TEST(UsageTest, ListsEveryFlagWithItsVariable) {
  const std::string usage = Usage();
  for (std::string_view flag : {"--kubeconfig VALUE", "--listen-address VALUE", "--log-format",
                                "--leader-elect", "--lease-duration", "--workers"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(usage.find("[CSP_LISTEN_ADDRESS]"), std::string::npos);
  EXPECT_EQ(usage.find("[CSP_HELP]"), std::string::npos);
}

}  // namespace
}  // namespace csp::manager
