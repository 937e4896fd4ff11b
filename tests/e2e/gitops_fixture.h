// GitOps controllers played in the e2e tests (docs/remediation.md "Revert detection" and
// "Flux"): a thread server-side applies the Git manifest of Deployment/web every second under
// the tool's field manager, forcing conflicts, as Argo CD's self-heal and Flux's
// kustomize-controller do. The Flux one honors Flux's per-object switch: while the live object
// carries `kustomize.toolkit.fluxcd.io/reconcile: disabled` it applies nothing to it, the way
// kustomize-controller skips such an object (changes from Git included).
#pragma once

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "operator_harness.h"

namespace csp::e2e {

// A GitOps tool as the operator sees it.
struct GitOpsTool {
  std::string field_manager = {};  // argocd-controller, kustomize-controller
  bool honors_flux_switch = false;
  // What the tool writes on the objects it applies (Argo CD's tracking annotation, Flux's
  // labels), and what the operator reports for it in the result's `managedBy`.
  nlohmann::json metadata = {};  // merged into the manifest's metadata
  std::string managed_by = {};
};

// Argo CD with annotation tracking, application "shop".
GitOpsTool ArgoCd(const std::string& ns);
// Flux's kustomize-controller, Kustomization flux-system/apps.
GitOpsTool FluxKustomize();

// Git's Deployment/web in ns: 2 replicas, privileged or not, carrying the tool's metadata.
nlohmann::json GitManifest(const GitOpsTool& tool, bool privileged);

class GitOpsController {
 public:
  GitOpsController(std::string ns, GitOpsTool tool, nlohmann::json manifest);
  // A new commit: the next round applies `manifest`.
  void Commit(nlohmann::json manifest);
  int applies() const { return applies_.load(); }  // successful applies
  int skips() const { return skips_.load(); }      // rounds skipped for Flux's switch

 private:
  void Round();

  const std::string ns_;
  const GitOpsTool tool_;
  std::mutex mu_;
  nlohmann::json manifest_;
  std::atomic<int> applies_{0};
  std::atomic<int> skips_{0};
  std::jthread thread_;  // last: stopped and joined first
};

// The result of `rule` on Deployment/web in ns's csp-<policy> report, or null.
nlohmann::json WebResult(const std::string& ns, const std::string& policy,
                         const std::string& rule = kPrivilegedRule);
// A result's properties[key], "" when absent.
std::string PropertyOf(const nlohmann::json& result, const std::string& key);

// Patches the operator has sent (csp_workload_patches_total).
double Patches(OperatorProcess& op);

class GitOpsTest : public OperatorTest {
 protected:
  // Without suspendFlux, a ScaleDown policy meets `tool` applying a privileged Git manifest:
  // the operator stops after the second revert, records and reports it (`reverted by
  // <manager>`, one Warning Event, the policy's count, the metric), patches nothing more while
  // Git stays as it is, and never touches Flux's switch. When Git is fixed, the workload ends
  // compliant and labeled so.
  void ExpectBackOffAfterSecondRevert(const GitOpsTool& tool);
};

}  // namespace csp::e2e
