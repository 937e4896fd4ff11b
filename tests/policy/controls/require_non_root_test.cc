// Rule 5, require-non-root: fails when a container's effective runAsUser is 0, or when it has
// neither an effective runAsNonRoot: true nor an effective runAsUser > 0. Literal: runAsNonRoot
// false with runAsUser 1000 passes. Container fields win over the pod's.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

const RuleCase kCases[] = {
    {"no_containers", R"({})", Outcome::kPass},
    {"nothing_set",
     R"({"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": )", "runAsNonRoot"}},
    {"run_as_non_root_true",
     R"({"containers":[{"name":"a","securityContext":{"runAsNonRoot":true}}]})", Outcome::kPass},
    {"run_as_user_1000", R"({"containers":[{"name":"a","securityContext":{"runAsUser":1000}}]})",
     Outcome::kPass},
    {"literal_non_root_false_with_user_1000",
     R"({"containers":[{"name":"a","securityContext":{"runAsNonRoot":false,"runAsUser":1000}}]})",
     Outcome::kPass},
    {"user_0_with_non_root_true",
     R"({"containers":[{"name":"a","securityContext":{"runAsNonRoot":true,"runAsUser":0}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": runAsUser is 0)"}},
    {"user_0_alone",
     R"({"containers":[{"name":"a","securityContext":{"runAsUser":0}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": runAsUser is 0)"}},
    {"non_root_false_alone",
     R"({"containers":[{"name":"a","securityContext":{"runAsNonRoot":false}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": )", "runAsNonRoot"}},
    // Pod-level values are inherited when the container is silent.
    {"pod_non_root_inherited",
     R"({"securityContext":{"runAsNonRoot":true},"containers":[{"name":"a"},{"name":"b"}]})",
     Outcome::kPass},
    {"pod_user_inherited", R"({"securityContext":{"runAsUser":1000},"containers":[{"name":"a"}]})",
     Outcome::kPass},
    {"pod_user_0_inherited",
     R"({"securityContext":{"runAsUser":0,"runAsNonRoot":true},"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": runAsUser is 0)"}},
    {"pod_user_0_beats_container_non_root",
     R"({"securityContext":{"runAsUser":0},
         "containers":[{"name":"a","securityContext":{"runAsNonRoot":true}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": runAsUser is 0)"}},
    {"pod_user_and_container_non_root_combine",
     R"({"securityContext":{"runAsUser":1000},
         "containers":[{"name":"a","securityContext":{"runAsNonRoot":false}}]})",
     Outcome::kPass},
    // Container overrides pod, both ways.
    {"container_user_overrides_root_pod",
     R"({"securityContext":{"runAsUser":0},
         "containers":[{"name":"a","securityContext":{"runAsUser":1000}}]})",
     Outcome::kPass},
    {"container_root_overrides_pod_user",
     R"({"securityContext":{"runAsUser":1000,"runAsNonRoot":true},
         "containers":[{"name":"a"},{"name":"b","securityContext":{"runAsUser":0}}]})",
     Outcome::kFail,
     {"b"},
     {R"(container "b": runAsUser is 0)"}},
    {"container_non_root_false_overrides_pod_true",
     R"({"securityContext":{"runAsNonRoot":true},
         "containers":[{"name":"a","securityContext":{"runAsNonRoot":false}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": )", "runAsNonRoot"}},
    {"container_non_root_true_overrides_pod_false",
     R"({"securityContext":{"runAsNonRoot":false},
         "containers":[{"name":"a","securityContext":{"runAsNonRoot":true}}]})",
     Outcome::kPass},
    {"init_container_root",
     R"({"securityContext":{"runAsNonRoot":true},
         "initContainers":[{"name":"setup","securityContext":{"runAsUser":0}}],
         "containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup": runAsUser is 0)"}},
    {"ephemeral_container_unset",
     R"({"containers":[{"name":"a","securityContext":{"runAsUser":10}}],
         "ephemeralContainers":[{"name":"debug"}]})",
     Outcome::kFail,
     {"debug"},
     {R"(ephemeralContainer "debug": )", "runAsNonRoot"}},
    // Rule 5 is not one of the rules Windows pods skip.
    {"windows_pod_still_checked",
     R"({"os":{"name":"windows"},"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")"}},
    {"disabled",
     R"({"containers":[{"name":"a"}]})",
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false})"},
};

class RequireNonRootTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RequireNonRootTest, Evaluates) { test::RunRuleCase("require-non-root", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, RequireNonRootTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
