// Rule 3, require-apparmor: the effective AppArmor profile (container field, else pod field,
// else the pod annotation container.apparmor.security.beta.kubernetes.io/<container>) must
// not be Unconfined; missing passes unless requireExplicit.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

constexpr char kExplicit[] = R"({"requireExplicit":true})";
constexpr char kOneContainer[] = R"({"containers":[{"name":"a"}]})";

const RuleCase kCases[] = {
    {"missing_passes_by_default", kOneContainer, Outcome::kPass},
    {"missing_fails_with_require_explicit",
     kOneContainer,
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "AppArmor", "requireExplicit"},
     kExplicit},
    {"require_explicit_false",
     kOneContainer,
     Outcome::kPass,
     {},
     {},
     R"({"requireExplicit":false})"},
    {"container_runtime_default",
     R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}}}]})",
     Outcome::kPass,
     {},
     {},
     kExplicit},
    {"container_localhost_with_profile",
     R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":
         {"type":"Localhost","localhostProfile":"k8s-app"}}}]})",
     Outcome::kPass,
     {},
     {},
     kExplicit},
    {"container_unconfined",
     R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"Unconfined"}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.appArmorProfile.type is Unconfined)"}},
    {"container_localhost_without_profile",
     R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"Localhost"}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.appArmorProfile.type is Localhost without localhostProfile)"}},
    {"pod_unconfined_inherited",
     R"({"securityContext":{"appArmorProfile":{"type":"Unconfined"}},"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": pod securityContext.appArmorProfile.type is Unconfined)"}},
    {"pod_runtime_default_satisfies_require_explicit",
     R"({"securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"a"}]})",
     Outcome::kPass,
     {},
     {},
     kExplicit},
    // Container first, both ways.
    {"container_overrides_unconfined_pod",
     R"({"securityContext":{"appArmorProfile":{"type":"Unconfined"}},
         "containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}}}]})",
     Outcome::kPass},
    {"container_unconfined_overrides_pod",
     R"({"securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}},
         "containers":[{"name":"a"},
                       {"name":"b","securityContext":{"appArmorProfile":{"type":"Unconfined"}}}]})",
     Outcome::kFail,
     {"b"},
     {R"(container "b": securityContext.appArmorProfile.type is Unconfined)"}},
    {"container_profile_replaces_pod_object",
     R"({"securityContext":{"appArmorProfile":{"type":"Localhost","localhostProfile":"k8s-app"}},
         "containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"Localhost"}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "Localhost without localhostProfile"}},
    // The annotation, when no field is set.
    {"annotation_unconfined",
     kOneContainer,
     Outcome::kFail,
     {"a"},
     {R"(container "a": annotation container.apparmor.security.beta.kubernetes.io/a is unconfined)"},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/a":"unconfined"})"},
    {"annotation_runtime_default_satisfies_require_explicit",
     kOneContainer,
     Outcome::kPass,
     {},
     {},
     kExplicit,
     R"({"container.apparmor.security.beta.kubernetes.io/a":"runtime/default"})"},
    {"annotation_localhost_named",
     kOneContainer,
     Outcome::kPass,
     {},
     {},
     kExplicit,
     R"({"container.apparmor.security.beta.kubernetes.io/a":"localhost/k8s-app"})"},
    {"annotation_localhost_without_name",
     kOneContainer,
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "container.apparmor.security.beta.kubernetes.io/a", "localhost/"},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/a":"localhost/"})"},
    {"annotation_invalid_value",
     kOneContainer,
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "container.apparmor.security.beta.kubernetes.io/a", "enforce"},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/a":"enforce"})"},
    {"annotation_wrong_case_is_invalid",
     kOneContainer,
     Outcome::kFail,
     {"a"},
     {R"(container "a")", "Unconfined"},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/a":"Unconfined"})"},
    // The fields win over the annotation, both ways.
    {"container_field_wins_over_unconfined_annotation",
     R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}}}]})",
     Outcome::kPass,
     {},
     {},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/a":"unconfined"})"},
    {"pod_field_wins_over_unconfined_annotation",
     R"({"securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"a"}]})",
     Outcome::kPass,
     {},
     {},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/a":"unconfined"})"},
    {"unconfined_field_wins_over_runtime_default_annotation",
     R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"Unconfined"}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.appArmorProfile.type is Unconfined)"},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/a":"runtime/default"})"},
    // An annotation naming no container affects nothing, neither failing nor satisfying.
    {"annotation_for_unknown_container_ignored",
     kOneContainer,
     Outcome::kPass,
     {},
     {},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/ghost":"unconfined"})"},
    {"annotation_for_unknown_container_does_not_satisfy",
     kOneContainer,
     Outcome::kFail,
     {"a"},
     {R"(container "a")"},
     kExplicit,
     R"({"container.apparmor.security.beta.kubernetes.io/ghost":"runtime/default"})"},
    {"annotation_applies_to_its_container_only",
     R"({"containers":[{"name":"a"},{"name":"b"}]})",
     Outcome::kFail,
     {"b"},
     {R"(container "b": annotation container.apparmor.security.beta.kubernetes.io/b)"},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/a":"runtime/default",
         "container.apparmor.security.beta.kubernetes.io/b":"unconfined"})"},
    {"init_container_annotation_unconfined",
     R"({"initContainers":[{"name":"setup"}],"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup")", "unconfined"},
     "",
     R"({"container.apparmor.security.beta.kubernetes.io/setup":"unconfined"})"},
    {"ephemeral_container_missing_with_require_explicit",
     R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}}}],
         "ephemeralContainers":[{"name":"debug"}]})",
     Outcome::kFail,
     {"debug"},
     {R"(ephemeralContainer "debug")"},
     kExplicit},
    {"windows_pod_skips",
     R"({"os":{"name":"windows"},
         "containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"Unconfined"}}}]})",
     Outcome::kSkip,
     {},
     {"Windows"},
     kExplicit},
    {"disabled",
     R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"Unconfined"}}}]})",
     Outcome::kSkip,
     {},
     {"disabled"},
     R"({"enabled":false,"requireExplicit":true})"},
};

class RequireAppArmorTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RequireAppArmorTest, Evaluates) { test::RunRuleCase("require-apparmor", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, RequireAppArmorTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

// Only the pod template's annotations count: a Deployment's own metadata.annotations do not.
TEST(RequireAppArmorWorkloadTest, OnlyTemplateAnnotationsCount) {
  const nlohmann::json deployment = test::Json(R"({
    "apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"d","annotations":{
        "container.apparmor.security.beta.kubernetes.io/a":"unconfined"}},
    "spec":{"template":{
        "metadata":{"annotations":{
            "container.apparmor.security.beta.kubernetes.io/b":"unconfined"}},
        "spec":{"containers":[{"name":"a"},{"name":"b"}]}}}})");
  Result<Policy> policy = ParsePolicy(test::PolicyDoc());
  ASSERT_TRUE(policy) << policy.error().message;
  auto workload = AsWorkload(deployment, "default");
  ASSERT_TRUE(workload && workload->has_value());
  auto results = Evaluate(*policy, **workload, {.now = test::Now()});
  ASSERT_TRUE(results) << results.error().message;
  const Control* control = FindControl("require-apparmor");
  ASSERT_NE(control, nullptr);
  for (const RuleResult& r : *results) {
    if (r.rule != control->id) continue;
    EXPECT_EQ(r.outcome, Outcome::kFail);
    EXPECT_EQ(r.containers, std::vector<std::string>{"b"});
    EXPECT_NE(r.message.find(R"(container "b")"), std::string::npos) << r.message;
  }
}

}  // namespace
}  // namespace csp::policy
