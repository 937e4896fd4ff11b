// disallow-privilege-escalation: every container (init and ephemeral too) must set
// securityContext.allowPrivilegeEscalation: false; unset fails. Windows pods skip. False with
// privileged or SYS_ADMIN fails too: such a container escalates anyway. Disabled by default.
// Rows from PSA's check_allowPrivilegeEscalation_test.go and its restricted fixtures.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

constexpr char kOn[] = R"({"enabled":true})";

// A one-container pod whose container "a" has this securityContext.
std::string Sc(std::string_view sc) {
  return R"({"containers":[{"name":"a","securityContext":)" + std::string(sc) + "}]}";
}

const RuleCase kCases[] = {
    {"disabled_by_default", R"({"containers":[{"name":"a"}]})", Outcome::kSkip, {}, {"disabled"}},
    {"false", Sc(R"({"allowPrivilegeEscalation":false})"), Outcome::kPass, {}, {}, kOn},
    {"no_security_context",
     R"({"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.allowPrivilegeEscalation is not set to false)"},
     kOn},
    {"unset_in_security_context",
     Sc(R"({"runAsNonRoot":true})"),
     Outcome::kFail,
     {"a"},
     {"allowPrivilegeEscalation is not set to false"},
     kOn},
    {"null_is_unset",
     Sc(R"({"allowPrivilegeEscalation":null})"),
     Outcome::kFail,
     {"a"},
     {"allowPrivilegeEscalation is not set to false"},
     kOn},
    {"true",
     Sc(R"({"allowPrivilegeEscalation":true})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.allowPrivilegeEscalation is true)"},
     kOn},
    // PSA "multiple containers": a (no securityContext), b (unset), c (true) fail; d passes.
    {"psa_multiple_containers",
     R"({"containers":[{"name":"a"},{"name":"b","securityContext":{}},
         {"name":"c","securityContext":{"allowPrivilegeEscalation":true}},
         {"name":"d","securityContext":{"allowPrivilegeEscalation":false}}]})",
     Outcome::kFail,
     {"a", "b", "c"},
     {R"(container "a")", R"(container "b")", R"(container "c")"},
     kOn},
    {"psa_linux_pod_without_security_context",
     R"({"os":{"name":"linux"},"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {"allowPrivilegeEscalation"},
     kOn},
    {"psa_windows_pod_skips",
     R"({"os":{"name":"windows"},"containers":[{"name":"a"}]})",
     Outcome::kSkip,
     {},
     {"Windows"},
     kOn},
    // Fixtures allowprivilegeescalation1 (init container true) and 3 (container unset).
    {"init_container_true",
     R"({"initContainers":[{"name":"setup","securityContext":{"allowPrivilegeEscalation":true}}],
         "containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false}}]})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup": securityContext.allowPrivilegeEscalation is true)"},
     kOn},
    {"init_container_unset",
     R"({"initContainers":[{"name":"setup"}],
         "containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false}}]})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup")"},
     kOn},
    {"ephemeral_container_unset",
     R"({"containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false}}],
         "ephemeralContainers":[{"name":"debug"}]})",
     Outcome::kFail,
     {"debug"},
     {R"(ephemeralContainer "debug": securityContext.allowPrivilegeEscalation is not set)"},
     kOn},
    {"every_container_false",
     R"({"initContainers":[{"name":"setup","securityContext":{"allowPrivilegeEscalation":false}}],
         "containers":[{"name":"a","securityContext":{"allowPrivilegeEscalation":false}}],
         "ephemeralContainers":[{"name":"debug",
           "securityContext":{"allowPrivilegeEscalation":false}}]})",
     Outcome::kPass,
     {},
     {},
     kOn},
    // The pod's securityContext has no such field: it cannot stand in for the containers'.
    {"pod_level_does_not_count",
     R"({"securityContext":{"allowPrivilegeEscalation":false},"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {"allowPrivilegeEscalation is not set to false"},
     kOn},
    // privileged and CAP_SYS_ADMIN escalate whatever the field says.
    {"false_but_privileged",
     Sc(R"({"allowPrivilegeEscalation":false,"privileged":true})"),
     Outcome::kFail,
     {"a"},
     {"allowPrivilegeEscalation is false, but privileged is true"},
     kOn},
    {"false_and_not_privileged",
     Sc(R"({"allowPrivilegeEscalation":false,"privileged":false})"),
     Outcome::kPass,
     {},
     {},
     kOn},
    {"false_but_cap_sys_admin",
     Sc(R"({"allowPrivilegeEscalation":false,"capabilities":{"add":["CAP_SYS_ADMIN"]}})"),
     Outcome::kFail,
     {"a"},
     {"allowPrivilegeEscalation is false, but capabilities.add holds SYS_ADMIN"},
     kOn},
    {"false_but_sys_admin_any_spelling",
     Sc(R"({"allowPrivilegeEscalation":false,"capabilities":{"add":["sys_admin"]}})"),
     Outcome::kFail,
     {"a"},
     {"holds SYS_ADMIN"},
     kOn},
    {"false_with_other_capability",
     Sc(R"({"allowPrivilegeEscalation":false,"capabilities":{"add":["NET_BIND_SERVICE"]}})"),
     Outcome::kPass,
     {},
     {},
     kOn},
    {"false_dropping_sys_admin",
     Sc(R"({"allowPrivilegeEscalation":false,"capabilities":{"drop":["SYS_ADMIN"]}})"),
     Outcome::kPass,
     {},
     {},
     kOn},
    {"disabled",
     Sc(R"({"allowPrivilegeEscalation":true})"),
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class DisallowPrivilegeEscalationTest : public testing::TestWithParam<RuleCase> {};

TEST_P(DisallowPrivilegeEscalationTest, Evaluates) {
  test::RunRuleCase("disallow-privilege-escalation", GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, DisallowPrivilegeEscalationTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
