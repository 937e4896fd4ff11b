// Which GitOps controller, if any, owns a workload, read from the marks those controllers leave
// on the objects they apply (docs/remediation.md "GitOps owners"). Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace csp::controllers {

// The label key Argo CD's label tracking uses by default (--argocd-instance-label).
inline constexpr std::string_view kDefaultArgoCdInstanceLabel = "app.kubernetes.io/instance";

// "argocd/<app>", "flux-kustomization/<ns>/<name>", "flux-helmrelease/<ns>/<name>", or "" when
// no mark is found. In order, the first that is present wins:
// 1. Argo CD's annotation argocd.argoproj.io/tracking-id, "<app>:<group>/<kind>:<ns>/<name>";
// 2. Flux's kustomize.toolkit.fluxcd.io/name + namespace labels, then helm.toolkit.fluxcd.io's;
// 3. the label `argocd_instance_label` (Argo CD's label tracking; "" disables it). Helm sets
//    app.kubernetes.io/instance too, so a Helm release outside Argo CD reads as argocd/<release>
//    unless the flag is cleared.
// A Flux label without its namespace partner names the workload's own namespace.
std::string GitOpsOwner(const nlohmann::json& object,
                        std::string_view argocd_instance_label = kDefaultArgoCdInstanceLabel);

}  // namespace csp::controllers
