// Rule 4, restrict-capabilities: capabilities.add may hold only `allowed` (default
// NET_BIND_SERVICE), never ALL; with requireDropAll, capabilities.drop must hold ALL. Names
// compare case-insensitively with an optional CAP_ prefix.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

constexpr char kDropAll[] = R"({"requireDropAll":true})";

// A one-container pod whose securityContext.capabilities is `caps`.
std::string Caps(std::string_view caps) {
  return R"({"containers":[{"name":"a","securityContext":{"capabilities":)" + std::string(caps) +
         "}}]}";
}

const RuleCase kCases[] = {
    {"no_security_context", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"empty_capabilities", Caps(R"({})"), Outcome::kPass},
    {"default_allows_net_bind_service", Caps(R"({"add":["NET_BIND_SERVICE"]})"), Outcome::kPass},
    {"default_allows_lower_case", Caps(R"({"add":["net_bind_service"]})"), Outcome::kPass},
    {"default_allows_cap_prefix",
     Caps(R"({"add":["CAP_NET_BIND_SERVICE","cap_net_bind_service"]})"), Outcome::kPass},
    {"sys_admin",
     Caps(R"({"add":["SYS_ADMIN"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds SYS_ADMIN)"}},
    {"cap_sys_admin_lower",
     Caps(R"({"add":["cap_sys_admin"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds SYS_ADMIN)"}},
    {"cap_sys_admin_upper",
     Caps(R"({"add":["CAP_SYS_ADMIN"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds SYS_ADMIN)"}},
    {"only_the_disallowed_one_named",
     Caps(R"({"add":["NET_BIND_SERVICE","NET_RAW"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds NET_RAW)"}},
    // Every spelling matches an allowed entry of any spelling.
    {"allowed_spelling_cap_lower",
     Caps(R"({"add":["SYS_ADMIN","CAP_SYS_ADMIN","sys_admin"]})"),
     Outcome::kPass,
     {},
     {},
     R"({"allowed":["cap_sys_admin"]})"},
    {"allowed_spelling_plain",
     Caps(R"({"add":["cap_sys_admin"]})"),
     Outcome::kPass,
     {},
     {},
     R"({"allowed":["SYS_ADMIN"]})"},
    // A policy's allowed replaces the default; [] allows nothing.
    {"allowed_replaces_default",
     Caps(R"({"add":["NET_BIND_SERVICE"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds NET_BIND_SERVICE)"},
     R"({"allowed":["SYS_TIME"]})"},
    {"allowed_empty_allows_nothing",
     Caps(R"({"add":["NET_BIND_SERVICE"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds NET_BIND_SERVICE)"},
     R"({"allowed":[]})"},
    {"allowed_empty_no_add_passes",
     Caps(R"({"drop":["ALL"]})"),
     Outcome::kPass,
     {},
     {},
     R"({"allowed":[]})"},
    // ALL is never allowed, in any spelling.
    {"add_all",
     Caps(R"({"add":["ALL"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds ALL)"}},
    {"add_all_lower",
     Caps(R"({"add":["all"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds ALL)"}},
    {"add_cap_all",
     Caps(R"({"add":["CAP_ALL"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds ALL)"}},
    {"add_all_even_with_long_allowed_list",
     Caps(R"({"add":["ALL"]})"),
     Outcome::kFail,
     {"a"},
     {"holds ALL"},
     R"({"allowed":["SYS_ADMIN","NET_RAW","NET_BIND_SERVICE"]})"},
    // requireDropAll.
    {"drop_all_not_required", Caps(R"({"drop":["NET_RAW"]})"), Outcome::kPass},
    {"require_drop_all_drop_all", Caps(R"({"drop":["ALL"]})"), Outcome::kPass, {}, {}, kDropAll},
    {"require_drop_all_drop_all_lower",
     Caps(R"({"drop":["all"]})"),
     Outcome::kPass,
     {},
     {},
     kDropAll},
    {"require_drop_all_drop_cap_all",
     Caps(R"({"drop":["NET_RAW","CAP_ALL"]})"),
     Outcome::kPass,
     {},
     {},
     kDropAll},
    {"require_drop_all_drop_other",
     Caps(R"({"drop":["NET_RAW"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.drop does not hold ALL)"},
     kDropAll},
    {"require_drop_all_no_security_context",
     R"({"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.drop does not hold ALL)"},
     kDropAll},
    {"require_drop_all_false",
     R"({"containers":[{"name":"a"}]})",
     Outcome::kPass,
     {},
     {},
     R"({"requireDropAll":false})"},
    // Dropping ALL does not excuse an added capability.
    {"drop_all_does_not_excuse_add",
     Caps(R"({"drop":["ALL"],"add":["SYS_ADMIN"]})"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": capabilities.add holds SYS_ADMIN)"},
     kDropAll},
    {"init_container",
     R"({"initContainers":[{"name":"setup",
         "securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}],"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup": capabilities.add holds SYS_ADMIN)"}},
    {"ephemeral_container",
     R"({"containers":[{"name":"a"}],"ephemeralContainers":[{"name":"debug",
         "securityContext":{"capabilities":{"add":["SYS_PTRACE"]}}}]})",
     Outcome::kFail,
     {"debug"},
     {R"(ephemeralContainer "debug": capabilities.add holds SYS_PTRACE)"}},
    {"require_drop_all_every_container",
     R"({"initContainers":[{"name":"setup","securityContext":{"capabilities":{"drop":["ALL"]}}}],
         "containers":[{"name":"a"},{"name":"b","securityContext":{"capabilities":{"drop":["ALL"]}}}],
         "ephemeralContainers":[{"name":"debug"}]})",
     Outcome::kFail,
     {"a", "debug"},
     {R"(container "a": capabilities.drop does not hold ALL)",
      R"(ephemeralContainer "debug": capabilities.drop does not hold ALL)"},
     kDropAll},
    {"windows_pod_skips",
     R"({"os":{"name":"windows"},
         "containers":[{"name":"a","securityContext":{"capabilities":{"add":["ALL"]}}}]})",
     Outcome::kSkip,
     {},
     {"Windows"}},
    {"disabled",
     Caps(R"({"add":["ALL"]})"),
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class RestrictCapabilitiesTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RestrictCapabilitiesTest, Evaluates) {
  test::RunRuleCase("restrict-capabilities", GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, RestrictCapabilitiesTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
