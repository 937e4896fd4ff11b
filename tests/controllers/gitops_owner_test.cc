// GitOps ownership read from Argo CD's and Flux's marks on the object, and their precedence.
#include "csp/controllers/gitops_owner.h"

#include <gtest/gtest.h>

namespace csp::controllers {
namespace {

using json = nlohmann::json;

struct Case {
  std::string name;
  json metadata;
  std::string instance_label = std::string(kDefaultArgoCdInstanceLabel);
  std::string want;
};

const json kArgoAnnotation = {
    {"annotations", {{"argocd.argoproj.io/tracking-id", "shop:apps/Deployment:web/front"}}}};

std::vector<Case> Cases() {
  return {
      {"none", {{"labels", {{"app", "front"}}}}, std::string(kDefaultArgoCdInstanceLabel), ""},
      {"no_metadata", json(), std::string(kDefaultArgoCdInstanceLabel), ""},
      {"argocd_tracking_id", kArgoAnnotation, std::string(kDefaultArgoCdInstanceLabel),
       "argocd/shop"},
      {"argocd_tracking_id_app_in_any_namespace",
       {{"annotations", {{"argocd.argoproj.io/tracking-id", "team-a_shop:apps/Deployment:w/f"}}}},
       std::string(kDefaultArgoCdInstanceLabel),
       "argocd/team-a_shop"},
      {"argocd_tracking_id_malformed_ignored",
       {{"annotations", {{"argocd.argoproj.io/tracking-id", ":apps/Deployment:w/f"}}}},
       std::string(kDefaultArgoCdInstanceLabel),
       ""},
      {"argocd_instance_label",
       {{"labels", {{"app.kubernetes.io/instance", "shop"}}}},
       std::string(kDefaultArgoCdInstanceLabel),
       "argocd/shop"},
      {"argocd_custom_instance_label",
       {{"labels", {{"app.kubernetes.io/instance", "x"}, {"argocd.example/app", "shop"}}}},
       "argocd.example/app",
       "argocd/shop"},
      {"argocd_instance_label_disabled",
       {{"labels", {{"app.kubernetes.io/instance", "shop"}}}},
       "",
       ""},
      {"flux_kustomization",
       {{"labels",
         {{"kustomize.toolkit.fluxcd.io/name", "apps"},
          {"kustomize.toolkit.fluxcd.io/namespace", "flux-system"}}}},
       std::string(kDefaultArgoCdInstanceLabel),
       "flux-kustomization/flux-system/apps"},
      {"flux_kustomization_without_namespace_is_the_workloads",
       {{"namespace", "web"}, {"labels", {{"kustomize.toolkit.fluxcd.io/name", "apps"}}}},
       std::string(kDefaultArgoCdInstanceLabel),
       "flux-kustomization/web/apps"},
      {"flux_helmrelease",
       {{"labels",
         {{"helm.toolkit.fluxcd.io/name", "podinfo"},
          {"helm.toolkit.fluxcd.io/namespace", "apps"},
          {"app.kubernetes.io/instance", "podinfo"}}}},
       std::string(kDefaultArgoCdInstanceLabel),
       "flux-helmrelease/apps/podinfo"},
      {"tracking_id_wins_over_flux",
       {{"annotations", kArgoAnnotation["annotations"]},
        {"labels",
         {{"kustomize.toolkit.fluxcd.io/name", "apps"},
          {"kustomize.toolkit.fluxcd.io/namespace", "flux-system"}}}},
       std::string(kDefaultArgoCdInstanceLabel),
       "argocd/shop"},
      {"non_string_values_ignored",
       {{"labels", {{"app.kubernetes.io/instance", 3}}}},
       std::string(kDefaultArgoCdInstanceLabel),
       ""},
  };
}

class GitOpsOwnerTest : public testing::TestWithParam<Case> {};

TEST_P(GitOpsOwnerTest, Reads) {
  const Case& c = GetParam();
  json object = {{"kind", "Deployment"}};
  if (!c.metadata.is_null()) object["metadata"] = c.metadata;
  EXPECT_EQ(GitOpsOwner(object, c.instance_label), c.want);
}

INSTANTIATE_TEST_SUITE_P(Cases, GitOpsOwnerTest, testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::controllers
