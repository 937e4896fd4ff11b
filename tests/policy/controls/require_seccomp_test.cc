// Rule 2, require-seccomp: the effective seccompProfile (container first, else pod; a
// container's profile replaces the pod's as a whole object) must be RuntimeDefault or
// Localhost with a localhostProfile. Missing fails: Kubernetes then runs Unconfined.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

const RuleCase kCases[] = {
    {"no_containers", R"({})", Outcome::kPass},
    {"missing_everywhere",
     R"({"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": seccompProfile is not set)"}},
    {"container_runtime_default",
     R"({"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"RuntimeDefault"}}}]})",
     Outcome::kPass},
    {"container_localhost_with_profile",
     R"({"containers":[{"name":"a","securityContext":{"seccompProfile":
         {"type":"Localhost","localhostProfile":"profiles/app.json"}}}]})",
     Outcome::kPass},
    {"container_unconfined",
     R"({"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Unconfined"}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.seccompProfile.type is Unconfined)"}},
    {"container_localhost_without_profile",
     R"({"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Localhost"}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.seccompProfile.type is Localhost without localhostProfile)"}},
    {"container_localhost_empty_profile",
     R"({"containers":[{"name":"a","securityContext":{"seccompProfile":
         {"type":"Localhost","localhostProfile":""}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "Localhost without localhostProfile"}},
    {"unknown_type",
     R"({"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Permissive"}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "seccompProfile.type", "Permissive"}},
    {"profile_without_type",
     R"({"containers":[{"name":"a","securityContext":{"seccompProfile":{}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "seccompProfile.type"}},
    // Pod applies when the container is silent.
    {"pod_runtime_default_inherited",
     R"({"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},
         "containers":[{"name":"a"},{"name":"b","securityContext":{"runAsNonRoot":true}}]})",
     Outcome::kPass},
    {"pod_unconfined_inherited",
     R"({"securityContext":{"seccompProfile":{"type":"Unconfined"}},
         "containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": pod securityContext.seccompProfile.type is Unconfined)"}},
    {"pod_localhost_without_profile_inherited",
     R"({"securityContext":{"seccompProfile":{"type":"Localhost"}},"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": pod securityContext.seccompProfile.type is Localhost without)"}},
    // The container overrides the pod, both ways.
    {"container_overrides_unconfined_pod",
     R"({"securityContext":{"seccompProfile":{"type":"Unconfined"}},
         "containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"RuntimeDefault"}}}]})",
     Outcome::kPass},
    {"container_unconfined_overrides_pod",
     R"({"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},
         "containers":[{"name":"a"},
                       {"name":"b","securityContext":{"seccompProfile":{"type":"Unconfined"}}}]})",
     Outcome::kFail,
     {"b"},
     {R"(container "b": securityContext.seccompProfile.type is Unconfined)"}},
    // A container's profile replaces the pod's as a whole object: the pod's localhostProfile
    // does not complete the container's Localhost.
    {"container_profile_replaces_pod_object",
     R"({"securityContext":{"seccompProfile":{"type":"Localhost","localhostProfile":"p.json"}},
         "containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Localhost"}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "Localhost without localhostProfile"}},
    {"init_container_missing",
     R"({"initContainers":[{"name":"setup"}],
         "containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"RuntimeDefault"}}}]})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup": seccompProfile is not set)"}},
    {"ephemeral_container_unconfined",
     R"({"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},
         "containers":[{"name":"a"}],
         "ephemeralContainers":[{"name":"debug",
                                 "securityContext":{"seccompProfile":{"type":"Unconfined"}}}]})",
     Outcome::kFail,
     {"debug"},
     {R"(ephemeralContainer "debug": securityContext.seccompProfile.type is Unconfined)"}},
    {"init_and_ephemeral_covered_by_pod",
     R"({"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},
         "initContainers":[{"name":"setup"}],"containers":[{"name":"a"}],
         "ephemeralContainers":[{"name":"debug"}]})",
     Outcome::kPass},
    // Only the fields count: kubelet ignores the old seccomp annotations.
    {"old_annotations_ignored",
     R"({"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": seccompProfile is not set)"},
     "",
     R"({"seccomp.security.alpha.kubernetes.io/pod":"runtime/default",
         "container.seccomp.security.alpha.kubernetes.io/a":"runtime/default"})"},
    {"windows_pod_skips",
     R"({"os":{"name":"windows"},"containers":[{"name":"a"}]})",
     Outcome::kSkip,
     {},
     {"Windows"}},
    {"linux_pod_checked",
     R"({"os":{"name":"linux"},"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")"}},
    {"disabled",
     R"({"containers":[{"name":"a"}]})",
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false,"severity":"low"})"},
};

class RequireSeccompTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RequireSeccompTest, Evaluates) { test::RunRuleCase("require-seccomp", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, RequireSeccompTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::policy
