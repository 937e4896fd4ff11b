// restrict-probe-hosts: a probe's or lifecycle handler's httpGet/tcpSocket host fails (PSA's
// hostProbesAndHostLifecycle check, baseline since 1.34); unset or "" passes.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

const RuleCase kCases[] = {
    {"no_probes", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"probe_without_host",
     R"({"containers":[{"name":"a","livenessProbe":{"httpGet":{"path":"/","port":8080}},
         "readinessProbe":{"tcpSocket":{"port":8080,"host":""}}}]})",
     Outcome::kPass},
    {"liveness_http_host",
     R"({"containers":[{"name":"a","livenessProbe":{"httpGet":{"host":"10.0.0.1","port":80}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": livenessProbe.httpGet.host is "10.0.0.1")"}},
    {"readiness_and_startup_tcp_hosts",
     R"({"containers":[{"name":"a","readinessProbe":{"tcpSocket":{"host":"db","port":5432}},
         "startupProbe":{"tcpSocket":{"host":"cache","port":6379}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": readinessProbe.tcpSocket.host is "db", )"
      R"(startupProbe.tcpSocket.host is "cache")"}},
    {"lifecycle_hooks",
     R"({"initContainers":[{"name":"setup","lifecycle":{
           "postStart":{"httpGet":{"host":"evil.example","port":80}},
           "preStop":{"tcpSocket":{"host":"169.254.169.254","port":80}}}}],
         "containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup": lifecycle.postStart.httpGet.host is "evil.example", )"
      R"(lifecycle.preStop.tcpSocket.host is "169.254.169.254")"}},
    {"disabled",
     R"({"containers":[{"name":"a","livenessProbe":{"httpGet":{"host":"x"}}}]})",
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class RestrictProbeHostsTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RestrictProbeHostsTest, Evaluates) { test::RunRuleCase("restrict-probe-hosts", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, RestrictProbeHostsTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
