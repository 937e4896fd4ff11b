// WorkloadKind: parsing with every invalid field named, and pod templates found at declared
// paths ("*" over maps and arrays), each a Workload of its own that names its template.
#include "csp/policy/workload_kind.h"

#include <gtest/gtest.h>

#include "csp/policy/engine.h"
#include "csp/policy/policy.h"
#include "test_util.h"

namespace csp::policy {
namespace {

using test::Json;

nlohmann::json KindDoc(std::string_view spec) {
  nlohmann::json doc = Json(R"({"apiVersion":"containersecurity.dev/v1alpha1",
      "kind":"WorkloadKind","metadata":{"name":"pytorchjobs"}})");
  doc["spec"] = Json(spec);
  return doc;
}

TEST(ParseWorkloadKindTest, ReadsEveryField) {
  auto kind = ParseWorkloadKind(KindDoc(R"({"group":"kubeflow.org","version":"v1",
      "kind":"PyTorchJob","resource":"pytorchjobs","scaleDown":"ScaleSubresource",
      "podTemplatePaths":["spec.pytorchReplicaSpecs.*.template"]})"));
  ASSERT_TRUE(kind) << kind.error().message;
  EXPECT_EQ(kind->name, "pytorchjobs");
  EXPECT_EQ(kind->ApiVersion(), "kubeflow.org/v1");
  EXPECT_EQ(kind->kind, "PyTorchJob");
  EXPECT_EQ(kind->resource, "pytorchjobs");
  EXPECT_EQ(kind->scale_down, ScaleDownMode::kScaleSubresource);
  EXPECT_EQ(kind->pod_template_paths,
            std::vector<std::string>{"spec.pytorchReplicaSpecs.*.template"});
}

TEST(ParseWorkloadKindTest, ScaleDownDefaultsToLabelOnlyAndResourceToDiscovery) {
  auto kind = ParseWorkloadKind(KindDoc(
      R"({"group":"argoproj.io","version":"v1alpha1","kind":"Rollout",
          "podTemplatePaths":["spec.template"]})"));
  ASSERT_TRUE(kind) << kind.error().message;
  EXPECT_EQ(kind->scale_down, ScaleDownMode::kLabelOnly);
  EXPECT_EQ(kind->resource, "");
}

struct InvalidCase {
  std::string name;
  std::string spec;
  std::vector<std::string> errors;  // each must appear in the message
};

class ParseWorkloadKindInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ParseWorkloadKindInvalidTest, NamesTheField) {
  auto kind = ParseWorkloadKind(KindDoc(GetParam().spec));
  ASSERT_FALSE(kind);
  for (const std::string& e : GetParam().errors) {
    EXPECT_NE(kind.error().message.find(e), std::string::npos) << "missing \"" << e << "\" in:\n"
                                                               << kind.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseWorkloadKindInvalidTest,
    ::testing::Values(
        InvalidCase{"Empty",
                    "{}",
                    {"spec.group: required", "spec.version: required", "spec.kind: required",
                     "spec.podTemplatePaths: required"}},
        InvalidCase{"BadNames",
                    R"({"group":"Argo_proj","version":"1","kind":"rollout","resource":"Rollouts",
                        "podTemplatePaths":["spec.template"]})",
                    {"spec.group: \"Argo_proj\" is not an API group",
                     "spec.version: \"1\" is not an API version",
                     "spec.kind: \"rollout\" is not a kind name",
                     "spec.resource: \"Rollouts\" is not a resource name"}},
        InvalidCase{"BuiltInKind",
                    R"({"group":"apps","version":"v1","kind":"Deployment",
                        "podTemplatePaths":["spec.template"]})",
                    {"spec.kind: \"Deployment\" in group \"apps\" is a built-in workload kind"}},
        InvalidCase{"BadPaths",
                    R"({"group":"a.io","version":"v1","kind":"A",
                        "podTemplatePaths":["spec..template","spec.tem plate", ""]})",
                    {"spec.podTemplatePaths[0]: \"spec..template\" has an empty segment",
                     "spec.podTemplatePaths[1]: \"spec.tem plate\": segment \"tem plate\"",
                     "spec.podTemplatePaths[2]: required"}},
        InvalidCase{"NoPaths",
                    R"({"group":"a.io","version":"v1","kind":"A","podTemplatePaths":[]})",
                    {"spec.podTemplatePaths: must name at least one path"}},
        InvalidCase{"WrongTypes",
                    R"({"group":1,"version":"v1","kind":"A","podTemplatePaths":"spec.template",
                        "scaleDown":"Scale","extra":true})",
                    {"spec.group: expected a string, got integer",
                     "spec.podTemplatePaths: expected an array",
                     "spec.scaleDown: \"Scale\" is not one of LabelOnly, ScaleSubresource",
                     "spec.extra: unknown field"}}),
    [](const auto& info) { return info.param.name; });

TEST(ParseWorkloadKindTest, RejectsOtherObjects) {
  auto kind = ParseWorkloadKind(Json(R"({"apiVersion":"v1","kind":"ConfigMap"})"));
  ASSERT_FALSE(kind);
  EXPECT_NE(kind.error().message.find("kind: expected WorkloadKind"), std::string::npos);
  EXPECT_NE(kind.error().message.find("metadata.name: required"), std::string::npos);
  EXPECT_NE(kind.error().message.find("spec: required"), std::string::npos);
}

struct FindCase {
  std::string name;
  std::string object;
  std::vector<std::string> paths;
  std::vector<std::pair<std::string, std::string>> found;  // (template name, path)
  std::string error = {};  // a substring of the error, or empty for success
};

class FindPodTemplatesTest : public ::testing::TestWithParam<FindCase> {};

TEST_P(FindPodTemplatesTest, FindsEachTemplate) {
  const nlohmann::json object = Json(GetParam().object);
  auto found = FindPodTemplates(object, GetParam().paths);
  if (!GetParam().error.empty()) {
    ASSERT_FALSE(found);
    EXPECT_NE(found.error().message.find(GetParam().error), std::string::npos)
        << found.error().message;
    return;
  }
  ASSERT_TRUE(found) << found.error().message;
  std::vector<std::pair<std::string, std::string>> got;
  for (const PodTemplateAt& t : *found) {
    got.emplace_back(t.name, t.path);
    ASSERT_NE(t.object, nullptr);
    EXPECT_TRUE(t.object->is_object());
  }
  EXPECT_EQ(got, GetParam().found);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FindPodTemplatesTest,
    ::testing::Values(FindCase{"PlainPathIsNamedByItself",
                               R"({"spec":{"template":{"spec":{}}}})",
                               {"spec.template"},
                               {{"spec.template", "spec.template"}}},
                      FindCase{"MapWildcardNamesTheKey",
                               R"({"spec":{"pytorchReplicaSpecs":{"Worker":{"template":{}},
                      "Master":{"template":{}}}}})",
                               {"spec.pytorchReplicaSpecs.*.template"},
                               {{"Master", "spec.pytorchReplicaSpecs.Master.template"},
                                {"Worker", "spec.pytorchReplicaSpecs.Worker.template"}}},
                      FindCase{"ArrayWildcardNamesTheIndex",
                               R"({"spec":{"roles":[{"template":{}},{"template":{}}]}})",
                               {"spec.roles.*.template"},
                               {{"0", "spec.roles[0].template"}, {"1", "spec.roles[1].template"}}},
                      FindCase{"TwoWildcardsJoinTheirKeys",
                               R"({"spec":{"a":{"x":{"t":{"p":{}}},"y":{"t":{"q":{}}}}}})",
                               {"spec.a.*.t.*"},
                               {{"x.p", "spec.a.x.t.p"}, {"y.q", "spec.a.y.t.q"}}},
                      FindCase{"SeveralPathsInOrder",
                               R"({"spec":{"template":{},"canary":{"template":{}}}})",
                               {"spec.template", "spec.canary.template"},
                               {{"spec.template", "spec.template"},
                                {"spec.canary.template", "spec.canary.template"}}},
                      FindCase{"MissingLevelsGiveNothing",
                               R"({"spec":{"replicaSpecs":{"Worker":{}}}})",
                               {"spec.template", "spec.replicaSpecs.*.template"},
                               {}},
                      FindCase{"NullMapValuesAreSkipped",
                               R"({"spec":{"replicaSpecs":{"Worker":null}}})",
                               {"spec.replicaSpecs.*.template"},
                               {}},
                      FindCase{"MistypedLevelIsAnError",
                               R"({"spec":{"replicaSpecs":{"Worker":"x"}}})",
                               {"spec.replicaSpecs.*.template"},
                               {},
                               "spec.replicaSpecs.Worker: expected an object, got string"},
                      FindCase{"MistypedTemplateIsAnError",
                               R"({"spec":{"template":[]}})",
                               {"spec.template"},
                               {},
                               "spec.template: expected an object, got array"},
                      FindCase{"WildcardOverAScalarIsAnError",
                               R"({"spec":{"replicaSpecs":3}})",
                               {"spec.replicaSpecs.*.template"},
                               {},
                               "spec.replicaSpecs: expected an object or an array, got integer"}),
    [](const auto& info) { return info.param.name; });

TEST(AsCustomWorkloadsTest, OneWorkloadPerTemplateNamingIt) {
  const std::vector<WorkloadKind> kinds = {
      {.group = "kubeflow.org",
       .version = "v1",
       .kind = "PyTorchJob",
       .pod_template_paths = {"spec.pytorchReplicaSpecs.*.template"}}};
  const nlohmann::json job = Json(R"({"apiVersion":"kubeflow.org/v1","kind":"PyTorchJob",
      "metadata":{"name":"train","uid":"u1","labels":{"team":"ml"}},
      "spec":{"pytorchReplicaSpecs":{
        "Master":{"template":{"spec":{"containers":[{"name":"m"}]}}},
        "Worker":{"template":{"metadata":{"annotations":{"a":"b"}},
                              "spec":{"containers":[{"name":"w"}]}}}}}})");
  auto workloads = AsCustomWorkloads(job, kinds, "ml");
  ASSERT_TRUE(workloads) << workloads.error().message;
  ASSERT_TRUE(workloads->has_value());
  ASSERT_EQ((*workloads)->size(), 2u);
  const Workload& worker = (**workloads)[1];
  EXPECT_EQ(worker.ref.pod_template, "Worker");
  EXPECT_EQ(worker.ref.kind, "PyTorchJob");
  EXPECT_EQ(worker.ref.api_version, "kubeflow.org/v1");
  EXPECT_EQ(worker.ref.ns, "ml");
  EXPECT_EQ(worker.ref.name, "train");
  EXPECT_EQ(worker.ref.uid, "u1");
  EXPECT_EQ(worker.pod_spec_path, "spec.pytorchReplicaSpecs.Worker.template.spec");
  EXPECT_EQ(worker.pod_spec->at("containers")[0]["name"], "w");
  ASSERT_NE(worker.annotations, nullptr);
  EXPECT_EQ(worker.annotations->at("a"), "b");
  ASSERT_NE(worker.labels, nullptr);
  EXPECT_EQ(KindForMatch(worker.ref), "PyTorchJob.kubeflow.org");
}

TEST(AsCustomWorkloadsTest, UndeclaredKindsAreNotWorkloads) {
  const std::vector<WorkloadKind> kinds = {{.group = "argoproj.io",
                                            .version = "v1alpha1",
                                            .kind = "Rollout",
                                            .pod_template_paths = {"spec.template"}}};
  for (std::string_view doc :
       {R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Experiment"})",
        R"({"apiVersion":"other.io/v1","kind":"Rollout"})", R"({"kind":"Rollout"})"}) {
    auto workloads = AsCustomWorkloads(Json(doc), kinds, "default");
    ASSERT_TRUE(workloads) << doc;
    EXPECT_FALSE(workloads->has_value()) << doc;
  }
}

// Policies name custom kinds with their group: a bare "Rollout" or another group's kind of
// the same name matches nothing.
TEST(CustomKindMatchTest, MatchKindsAndExemptionsUseTheGroup) {
  auto policy = ParsePolicy(test::PolicyDoc(
      R"({"match":{"kinds":["Rollout.argoproj.io","StatefulSet"]},
          "exemptions":[{"kinds":["Rollout.argoproj.io"],"names":["web"],"reason":"r"}]})"));
  ASSERT_TRUE(policy) << policy.error().message;
  const Labels none;
  const WorkloadRef rollout{.api_version = "argoproj.io/v1alpha1",
                            .kind = "Rollout",
                            .ns = "shop",
                            .name = "web",
                            .pod_template = "spec.template"};
  const WorkloadRef other_rollout{
      .api_version = "example.com/v1", .kind = "Rollout", .ns = "shop", .name = "web"};
  const WorkloadRef kruise{
      .api_version = "apps.kruise.io/v1beta1", .kind = "StatefulSet", .ns = "shop", .name = "db"};
  const WorkloadRef apps{
      .api_version = "apps/v1", .kind = "StatefulSet", .ns = "shop", .name = "db"};
  EXPECT_TRUE(Matches(*policy, rollout, none, nullptr));
  EXPECT_FALSE(Matches(*policy, other_rollout, none, nullptr));
  EXPECT_FALSE(Matches(*policy, kruise, none, nullptr));
  EXPECT_TRUE(Matches(*policy, apps, none, nullptr));
  EXPECT_EQ(FindExemption(*policy, rollout, "disallow-privileged", test::Now()), 0u);
  EXPECT_EQ(FindExemption(*policy, other_rollout, "disallow-privileged", test::Now()),
            std::nullopt);
}

TEST(IsQualifiedKindNameTest, KindDotGroup) {
  EXPECT_TRUE(IsQualifiedKindName("Rollout.argoproj.io"));
  EXPECT_TRUE(IsQualifiedKindName("StatefulSet.apps.kruise.io"));
  EXPECT_FALSE(IsQualifiedKindName("Rollout"));
  EXPECT_FALSE(IsQualifiedKindName("rollout.argoproj.io"));
  EXPECT_FALSE(IsQualifiedKindName("Rollout."));
  EXPECT_FALSE(IsQualifiedKindName("Rollout.Argoproj.io"));
}

}  // namespace
}  // namespace csp::policy
