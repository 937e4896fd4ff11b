// Fixes as the engine reports them: JSON Patch paths per workload kind, missing and null
// parents, removals in a safe order, the properties and their bound. The per-control property
// (a patch makes its rule pass and changes no other verdict) runs on every control table's
// cases (test_util.h ExpectFixHolds).
#include "csp/policy/fix.h"

#include <gtest/gtest.h>

#include "csp/policy/engine.h"
#include "test_util.h"

namespace csp::policy {
namespace {

using test::Json;

// By value: callers pass the temporary EvaluateDoc returns.
RuleResult ResultOf(const std::vector<RuleResult>& results, std::string_view rule) {
  for (const RuleResult& r : results) {
    if (r.rule == rule) return r;
  }
  ADD_FAILURE() << "no result for " << rule;
  return {};
}

std::vector<RuleResult> EvaluateDoc(const nlohmann::json& doc, std::string_view spec = "") {
  Result<Policy> policy = ParsePolicy(test::PolicyDoc(spec));
  EXPECT_TRUE(policy) << policy.error().message;
  auto workload = AsWorkload(doc, "default");
  EXPECT_TRUE(workload && workload->has_value());
  auto results = Evaluate(*policy, **workload, {.now = test::Now()});
  EXPECT_TRUE(results) << results.error().message;
  return results ? *results : std::vector<RuleResult>{};
}

TEST(FixTest, TemplatePointerPerKind) {
  EXPECT_EQ(TemplatePointer("spec"), "");
  EXPECT_EQ(TemplatePointer("spec.template.spec"), "/spec/template");
  EXPECT_EQ(TemplatePointer("spec.jobTemplate.spec.template.spec"),
            "/spec/jobTemplate/spec/template");
  EXPECT_EQ(TemplatePointer("template.spec"), "/template");
  EXPECT_EQ(TemplatePointer("spec.template"), std::nullopt);
  EXPECT_EQ(EscapePointerToken("a/b~c"), "a~1b~0c");
}

TEST(FixTest, DeploymentPatchReplacesPrivileged) {
  const auto doc = Json(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"template":{"spec":{"containers":[{"name":"a"},
        {"name":"b","securityContext":{"privileged":true}}]}}}})");
  const RuleResult r = ResultOf(EvaluateDoc(doc), "disallow-privileged");
  EXPECT_EQ(r.properties.at("fix"), "patch");
  EXPECT_EQ(r.patch, Json(R"([{"op":"replace",
      "path":"/spec/template/spec/containers/1/securityContext/privileged","value":false}])"));
  EXPECT_EQ(r.properties.at("patch"), r.patch.dump());
}

TEST(FixTest, CronJobPatchAddsMissingParentsOneAtATime) {
  const auto doc = Json(R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},
      "spec":{"jobTemplate":{"spec":{"template":{"spec":{
        "initContainers":[{"name":"i","securityContext":{"runAsUser":5}}],
        "containers":[{"name":"a","securityContext":null}]}}}}}})");
  const RuleResult r =
      ResultOf(EvaluateDoc(doc, R"({"controls":{"privilegeEscalation":{"enabled":true}}})"),
               "disallow-privilege-escalation");
  EXPECT_EQ(r.patch, Json(R"([
      {"op":"add","path":"/spec/jobTemplate/spec/template/spec/initContainers/0/securityContext/allowPrivilegeEscalation","value":false},
      {"op":"replace","path":"/spec/jobTemplate/spec/template/spec/containers/0/securityContext","value":{}},
      {"op":"add","path":"/spec/jobTemplate/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation","value":false}])"));
  const RuleResult seccomp = ResultOf(EvaluateDoc(doc), "require-seccomp");
  EXPECT_EQ(seccomp.patch, Json(R"([
      {"op":"add","path":"/spec/jobTemplate/spec/template/spec/securityContext","value":{}},
      {"op":"add","path":"/spec/jobTemplate/spec/template/spec/securityContext/seccompProfile","value":{}},
      {"op":"add","path":"/spec/jobTemplate/spec/template/spec/securityContext/seccompProfile/type","value":"RuntimeDefault"}])"));
  EXPECT_NO_THROW(doc.patch(seccomp.patch));
}

TEST(FixTest, CapabilityRemovalsComeLastHighestIndexFirst) {
  const auto doc = test::PodDoc(R"({"containers":[{"name":"a","securityContext":{"capabilities":
      {"add":["SYS_ADMIN","NET_BIND_SERVICE","NET_RAW"]}}}]})");
  const RuleResult r =
      ResultOf(EvaluateDoc(doc, R"({"controls":{"capabilities":{"requireDropAll":true}}})"),
               "restrict-capabilities");
  EXPECT_EQ(r.patch, Json(R"([
      {"op":"add","path":"/spec/containers/0/securityContext/capabilities/drop","value":["ALL"]},
      {"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add/2"},
      {"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add/0"}])"));
  EXPECT_EQ(doc.patch(r.patch)["spec"]["containers"][0]["securityContext"]["capabilities"],
            Json(R"({"add":["NET_BIND_SERVICE"],"drop":["ALL"]})"));
}

TEST(FixTest, AppArmorAnnotationIsEditedInPlace) {
  const auto doc =
      test::PodDoc(R"({"containers":[{"name":"web"}]})",
                   R"({"container.apparmor.security.beta.kubernetes.io/web":"unconfined"})");
  const RuleResult r = ResultOf(EvaluateDoc(doc), "require-apparmor");
  EXPECT_EQ(r.patch, Json(R"([{"op":"replace",
      "path":"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1web",
      "value":"runtime/default"}])"));
}

TEST(FixTest, RulesWithoutAFixSaySo) {
  const auto doc = test::PodDoc(R"({"hostNetwork":true,"containers":[{"name":"a",
      "securityContext":{"runAsUser":0,"seccompProfile":{"type":"RuntimeDefault"}}}]})");
  const auto results = EvaluateDoc(doc);
  const RuleResult ns = ResultOf(results, "disallow-host-namespaces");
  EXPECT_EQ(ns.properties.at("fix").rfind("none (the host's network", 0), 0u);
  EXPECT_TRUE(ns.patch.is_null());
  EXPECT_EQ(ns.properties.count("patch"), 0u);
  const RuleResult root = ResultOf(results, "require-non-root");
  EXPECT_EQ(root.properties.at("fix"),
            "none (container \"a\" runs as UID 0: choose a non-root UID the image can use)");
  EXPECT_EQ(ResultOf(results, "disallow-privileged").properties.count("fix"), 0u);  // a pass
}

TEST(FixTest, PatchOverTheBoundIsOmittedFromProperties) {
  nlohmann::json containers = nlohmann::json::array();
  for (int i = 0; i < 40; ++i) {
    containers.push_back(
        {{"name", "c" + std::to_string(i)}, {"securityContext", {{"privileged", true}}}});
  }
  const auto doc = test::PodDoc(nlohmann::json{{"containers", containers}}.dump());
  const RuleResult r = ResultOf(EvaluateDoc(doc), "disallow-privileged");
  ASSERT_EQ(r.patch.size(), 40u);
  const std::string size = std::to_string(r.patch.dump().size());
  EXPECT_GT(r.patch.dump().size(), kMaxPatchPropertyBytes);
  EXPECT_EQ(r.properties.at("fix"), "patch omitted (" + size + " bytes, over the 2048-byte bound)");
  EXPECT_EQ(r.properties.count("patch"), 0u);
}

}  // namespace
}  // namespace csp::policy
