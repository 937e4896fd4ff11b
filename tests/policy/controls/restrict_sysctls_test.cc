// restrict-sysctls: the pod's securityContext.sysctls may name only `allowed` sysctls
// (default PSS's safe set), compared exactly. Rows from PSA's check_sysctls_test.go (the 1.32
// set) and its baseline fixtures.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

// A pod (one container "a") whose securityContext.sysctls is `sysctls`.
std::string Sysctls(std::string_view sysctls) {
  return R"({"securityContext":{"sysctls":)" + std::string(sysctls) +
         R"(},"containers":[{"name":"a"}]})";
}

// One row per name of PSS's safe set: each passes with the defaults.
RuleCase Safe(const std::string& name) {
  std::string row = "safe_" + name;
  std::replace(row.begin(), row.end(), '.', '_');  // gtest names: letters, digits, '_'
  return {row, Sysctls(R"([{"name":")" + name + R"(","value":"1"}])"), Outcome::kPass};
}

const RuleCase kCases[] = {
    {"none", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"empty_list", Sysctls("[]"), Outcome::kPass},
    Safe("kernel.shm_rmid_forced"),
    Safe("net.ipv4.ip_local_port_range"),
    Safe("net.ipv4.tcp_syncookies"),
    Safe("net.ipv4.ping_group_range"),
    Safe("net.ipv4.ip_unprivileged_port_start"),
    Safe("net.ipv4.ip_local_reserved_ports"),
    Safe("net.ipv4.tcp_keepalive_time"),
    Safe("net.ipv4.tcp_fin_timeout"),
    Safe("net.ipv4.tcp_keepalive_intvl"),
    Safe("net.ipv4.tcp_keepalive_probes"),
    Safe("net.ipv4.tcp_rmem"),
    Safe("net.ipv4.tcp_wmem"),
    // PSA "forbidden sysctls": every forbidden name is reported.
    {"psa_forbidden_sysctls",
     Sysctls(R"([{"name":"a"},{"name":"b"}])"),
     Outcome::kFail,
     {"a"},
     {R"(spec.securityContext.sysctls holds "a" (not allowed))",
      R"(spec.securityContext.sysctls holds "b" (not allowed))"}},
    // Fixture sysctls0.
    {"fixture_othersysctl",
     Sysctls(R"([{"name":"othersysctl","value":"other"}])"),
     Outcome::kFail,
     {"a"},
     {R"("othersysctl")"}},
    {"unsafe_kernel_msgmax",
     Sysctls(
         R"([{"name":"net.ipv4.tcp_syncookies","value":"1"},{"name":"kernel.msgmax","value":"1"}])"),
     Outcome::kFail,
     {"a"},
     {R"("kernel.msgmax")"}},
    {"only_the_forbidden_named",
     Sysctls(R"([{"name":"net.ipv4.tcp_syncookies","value":"1"},{"name":"kernel.msgmax"}])"),
     Outcome::kFail,
     {"a"},
     {R"(spec.securityContext.sysctls holds "kernel.msgmax" (not allowed))"}},
    // The pod's sysctls hold for every container: all are named.
    {"every_container_named",
     R"({"securityContext":{"sysctls":[{"name":"kernel.msgmax","value":"1"}]},
         "initContainers":[{"name":"setup"}],"containers":[{"name":"a"},{"name":"b"}],
         "ephemeralContainers":[{"name":"debug"}]})",
     Outcome::kFail,
     {"setup", "a", "b", "debug"},
     {R"(spec.securityContext.sysctls holds "kernel.msgmax" (not allowed))"}},
    // Names compare exactly, as PSA compares them: the slash form is another name.
    {"slash_separator_is_another_name",
     Sysctls(R"([{"name":"net/ipv4/tcp_syncookies","value":"1"}])"),
     Outcome::kFail,
     {"a"},
     {R"("net/ipv4/tcp_syncookies")"}},
    {"prefix_is_not_a_match",
     Sysctls(R"([{"name":"net.ipv4.tcp_rmem_max","value":"1"}])"),
     Outcome::kFail,
     {"a"},
     {R"("net.ipv4.tcp_rmem_max")"}},
    // Sysctls are the pod's only: a container's securityContext.sysctls is not a field.
    {"container_sysctls_ignored",
     R"({"containers":[{"name":"a","securityContext":{"sysctls":[{"name":"kernel.msgmax"}]}}]})",
     Outcome::kPass},
    // A policy's allowed replaces the default; [] allows none.
    {"allowed_replaces_default",
     Sysctls(R"([{"name":"net.ipv4.tcp_syncookies","value":"1"}])"),
     Outcome::kFail,
     {"a"},
     {R"("net.ipv4.tcp_syncookies")"},
     R"({"allowed":["kernel.msgmax"]})"},
    {"allowed_custom",
     Sysctls(R"([{"name":"kernel.msgmax","value":"1"}])"),
     Outcome::kPass,
     {},
     {},
     R"({"allowed":["kernel.msgmax"]})"},
    {"allowed_empty_allows_none",
     Sysctls(R"([{"name":"kernel.shm_rmid_forced","value":"1"}])"),
     Outcome::kFail,
     {"a"},
     {R"("kernel.shm_rmid_forced")"},
     R"({"allowed":[]})"},
    {"disabled",
     Sysctls(R"([{"name":"kernel.msgmax"}])"),
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class RestrictSysctlsTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RestrictSysctlsTest, Evaluates) { test::RunRuleCase("restrict-sysctls", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, RestrictSysctlsTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

TEST(RestrictSysctlsSettingsTest, RefusesAnEmptyName) {
  Result<Policy> policy =
      ParsePolicy(test::PolicyWithControl("sysctls", R"({"allowed":["kernel.msgmax",""]})"));
  ASSERT_FALSE(policy) << "accepted";
  EXPECT_NE(policy.error().message.find("spec.controls.sysctls.allowed[1]: empty"),
            std::string::npos)
      << policy.error().message;
}

}  // namespace
}  // namespace csp::policy
