// Rule 1, disallow-privileged: any container with securityContext.privileged: true fails.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

const RuleCase kCases[] = {
    {"no_containers", R"({})", Outcome::kPass},
    {"unset", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"security_context_without_field", R"({"containers":[{"name":"a","securityContext":{}}]})",
     Outcome::kPass},
    {"false", R"({"containers":[{"name":"a","securityContext":{"privileged":false}}]})",
     Outcome::kPass},
    {"one_true",
     R"({"containers":[{"name":"a"},{"name":"b","securityContext":{"privileged":true}}]})",
     Outcome::kFail,
     {"b"},
     {R"(container "b": securityContext.privileged is true)"}},
    {"init_container",
     R"({"initContainers":[{"name":"setup","securityContext":{"privileged":true}}],
         "containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup": securityContext.privileged is true)"}},
    {"ephemeral_container",
     R"({"containers":[{"name":"a"}],
         "ephemeralContainers":[{"name":"debug","securityContext":{"privileged":true}}]})",
     Outcome::kFail,
     {"debug"},
     {R"(ephemeralContainer "debug": securityContext.privileged is true)"}},
    // Offenders are listed init, regular, ephemeral, whatever the key order of the document.
    {"every_kind_of_container",
     R"({"ephemeralContainers":[{"name":"debug","securityContext":{"privileged":true}}],
         "containers":[{"name":"app","securityContext":{"privileged":true}},{"name":"ok"}],
         "initContainers":[{"name":"setup","securityContext":{"privileged":true}}]})",
     Outcome::kFail,
     {"setup", "app", "debug"},
     {R"(initContainer "setup")", R"(container "app")", R"(ephemeralContainer "debug")"}},
    // Rule 1 is not one of the rules Windows pods skip.
    {"windows_pod_still_checked",
     R"({"os":{"name":"windows"},"containers":[{"name":"a","securityContext":{"privileged":true}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.privileged is true)"}},
    {"settings_severity_only",
     R"({"containers":[{"name":"a","securityContext":{"privileged":true}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")"},
     R"({"severity":"low"})"},
    {"disabled",
     R"({"containers":[{"name":"a","securityContext":{"privileged":true}}]})",
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
    // Pod Security Standards (both levels); Windows pods too (check_privileged.go).
    {"pss_baseline_privileged_init_container",
     R"({"initContainers":[{"name":"i","securityContext":{"privileged":true}}],
         "containers":[{"name":"c","securityContext":{"privileged":false}}]})",
     Outcome::kFail,
     {"i"},
     {R"(initContainer "i": securityContext.privileged is true)"},
     test::PssSettings("disallow-privileged", "baseline")},
    {"pss_restricted_windows_privileged",
     R"({"os":{"name":"windows"},"containers":[{"name":"c","securityContext":{"privileged":true}}]})",
     Outcome::kFail,
     {"c"},
     {"privileged"},
     test::PssSettings("disallow-privileged", "restricted")},
};

class PrivilegedTest : public testing::TestWithParam<RuleCase> {};

TEST_P(PrivilegedTest, Evaluates) { test::RunRuleCase("disallow-privileged", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, PrivilegedTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
