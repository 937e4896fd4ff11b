// restrict-proc-mount: a container's securityContext.procMount other than Default fails; unset
// passes (PSA check_procMount_restricted, and check_procMount_baseline for hostUsers unset/true).
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

const RuleCase kCases[] = {
    {"unset", R"({"containers":[{"name":"a"}]})", Outcome::kPass},
    {"security_context_without_field", R"({"containers":[{"name":"a","securityContext":{}}]})",
     Outcome::kPass},
    {"default", R"({"containers":[{"name":"a","securityContext":{"procMount":"Default"}}]})",
     Outcome::kPass},
    {"unmasked",
     R"({"containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.procMount is "Unmasked", not Default)"}},
    // Values compare exactly, as in PSA: neither the empty string nor another case is Default.
    {"empty_string",
     R"({"containers":[{"name":"a","securityContext":{"procMount":""}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.procMount is "", not Default)"}},
    {"lower_case_default",
     R"({"containers":[{"name":"a","securityContext":{"procMount":"default"}}]})",
     Outcome::kFail,
     {"a"},
     {R"(securityContext.procMount is "default", not Default)"}},
    // PSA's "procMount" case: containers "d", "e".
    {"psa_table",
     R"({"hostUsers":true,"containers":[
           {"name":"a"},
           {"name":"b","securityContext":{}},
           {"name":"c","securityContext":{"procMount":"Default"}},
           {"name":"d","securityContext":{"procMount":"Unmasked"}},
           {"name":"e","securityContext":{"procMount":"other"}}]})",
     Outcome::kFail,
     {"d", "e"},
     {R"(container "d": securityContext.procMount is "Unmasked", not Default; )"
      R"(container "e": securityContext.procMount is "other", not Default)"}},
    {"init_and_ephemeral",
     R"({"initContainers":[{"name":"setup","securityContext":{"procMount":"Unmasked"}}],
         "containers":[{"name":"a"}],
         "ephemeralContainers":[{"name":"debug","securityContext":{"procMount":"Unmasked"}}]})",
     Outcome::kFail,
     {"setup", "debug"},
     {R"(initContainer "setup": securityContext.procMount)",
      R"(ephemeralContainer "debug": securityContext.procMount)"}},
    // PSS restricted fails it in a user namespace too; baseline would not (the pod model has no
    // hostUsers: docs/controls.md "restrict-proc-mount").
    {"user_namespace_still_checked",
     R"({"hostUsers":false,
         "containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.procMount is "Unmasked")"}},
    // PSS baseline (1.35+): a pod in its own user namespace may unmask its /proc.
    {"user_namespace_allowed_when_asked",
     R"({"hostUsers":false,
         "containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}]})",
     Outcome::kPass,
     {},
     {},
     R"({"allowInUserNamespace":true})"},
    {"host_users_true_not_relaxed",
     R"({"hostUsers":true,
         "containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.procMount is "Unmasked")"},
     R"({"allowInUserNamespace":true})"},
    {"host_users_unset_not_relaxed",
     R"({"containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")"},
     R"({"allowInUserNamespace":true})"},
    {"windows_pod_still_checked",
     R"({"os":{"name":"windows"},
         "containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.procMount)"}},
    {"disabled",
     R"({"containers":[{"name":"a","securityContext":{"procMount":"Unmasked"}}]})",
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class RestrictProcMountTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RestrictProcMountTest, Evaluates) { test::RunRuleCase("restrict-proc-mount", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, RestrictProcMountTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
