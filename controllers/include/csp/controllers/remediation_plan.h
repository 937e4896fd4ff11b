// What a workload's failing results ask to be done to it (api.md "Actions"), as a JSON merge
// patch plus the Events to emit. Pure and idempotent: planning again on the patched object gives
// no patch. The desired state is derived from the policies and the object only; the workload's
// own labels and annotations never exempt it, and ours are put back when someone edits them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csp/controllers/evaluation.h"
#include "csp/controllers/gitops_owner.h"
#include "csp/names/names.h"
#include "csp/report/policy_report.h"

namespace csp::controllers {

struct Event {
  std::string type = {};  // "Normal" | "Warning"
  // Labeled, Unlabeled, ScaledDown, Restored, Isolated, Released, RemediationReverted,
  // RemediationResumed, FluxReconcileDisabled, FluxReconcileRestored
  std::string reason = {};
  std::string message = {};
  bool operator==(const Event&) const = default;
};

// A field a ScaleDown wrote, found put back by someone else while the workload still violates.
struct Revert {
  std::vector<std::string> path =
      {};                    // {"spec", "replicas"}: to look its owner up in managedFields
  std::string manager = {};  // who put it back; filled by the caller
  bool operator==(const Revert&) const = default;
};

// What the caller adds to the object and the policies: its flags and what it counted.
struct RemediationInputs {
  std::string argocd_instance_label = std::string(kDefaultArgoCdInstanceLabel);
  // Set when `stop->manager` put the remediation back once more than the caller allows
  // (RemediationGuard): the plan records the stop instead of re-applying it.
  std::optional<Revert> stop = {};
  // A custom kind scaled down through its /scale subresource (api.md "WorkloadKind"): the
  // replica count /scale reads now. Unset for the built-in kinds and LabelOnly custom kinds.
  std::optional<std::int64_t> scale_replicas = {};
};

// The operator-owned NetworkPolicy of action Isolate.
enum class Isolation {
  kNone,
  kEnsure,   // network_policy must exist as planned (created before the patch is sent)
  kRelease,  // network_policy_name must go (deleted before the patch is sent)
};

struct RemediationPlan {
  // The strongest effective action among the failing rules: ScaleDown > Isolate > Label > Audit.
  policy::Action action = policy::Action::kAudit;
  // Sorted, unique ids of failing rules whose effective action is not Audit.
  std::vector<std::string> violations = {};
  // A JSON merge patch for the workload; nullopt when it is already in the desired state.
  std::optional<nlohmann::json> patch = {};
  // With RemediationInputs::scale_replicas: the count to write to /scale (the patch then
  // holds only the record); nullopt when /scale is as desired. Sent after the patch when
  // scaling down (the record first), before it when restoring (the record last).
  std::optional<std::int64_t> scale_to = {};
  std::vector<Event> events = {};  // one per change the patch makes
  // The remediation in effect once the patch is applied, for properties["remediation"] of the
  // enforced failing results, e.g. "scaled-down from 3 replicas"; empty when none.
  std::string remediation = {};
  // GitOpsOwner() of the workload, for properties["managedBy"] of every result; "" when none.
  std::string managed_by = {};
  // The patch puts back a ScaleDown field that someone else put back (the caller looks up who,
  // counts, and may plan again with RemediationInputs::stop).
  std::optional<Revert> revert = {};
  // Not empty while the remediation is stopped (recorded on the workload, or planned now): the
  // field manager that put it back.
  std::string reverted_by = {};
  Isolation isolation = Isolation::kNone;
  nlohmann::json network_policy = {};  // kEnsure: the whole object
  std::string network_policy_name = {};
};

// Plans the remediation of one top-level workload (ResolveOwner: is_self; `object` whole or
// CompactWorkload) from its evaluations under every policy that matches it. Rules:
// - A rule's effective action is EffectiveAction(); of several policies failing the same
//   workload, the strongest action wins (ScaleDown > Isolate > Label > Audit). Audit-only failures
//   change nothing on the workload.
// - Labeled (some matching policy asks for an action other than Audit on an enabled rule): label
//   compliant "false" with the violations annotation, or "true" without it. When no policy asks
//   any more, both are removed.
// - ScaleDown: replicas 0 (Deployment, StatefulSet, ReplicaSet, ReplicationController),
//   suspend true (Job, CronJob), the quarantine nodeSelector key (DaemonSet); the previous
//   value goes to names::kScaledDownFromAnnotation (replicas as a number, "false", or the JSON of
//   the previous nodeSelector). A workload at 0 replicas or suspended without that annotation was
//   taken out of service by its user: left alone, and never restored. A Pod is only labeled.
//   A custom kind: through /scale as for replicas (inputs.scale_replicas, plan.scale_to), or
//   labeled only.
// - Isolate: the workload keeps running; a NetworkPolicy named IsolationPolicyName(), selecting
//   its pods by the workload's own selector (the pod template's labels for a CronJob or a
//   ReplicationController without one, the Pod's labels for a Pod), with no rule, denies all
//   their ingress and egress. Its name goes to names::kIsolatedAnnotation; when no policy asks
//   any more, the plan releases it. A workload without a selector (or labels) is only labeled.
// - spec.remediation.suspendFlux of a policy asking ScaleDown, on a workload Flux's
//   kustomize-controller applies: Flux's reconcile annotation is set to "disabled" along with
//   names::kFluxReconcileDisabledAnnotation; both go on restore. A "disabled" set by the user
//   is left as it is.
// - Reverts: while ScaleDown holds (names::kScaledDownFromAnnotation), a lever found back in
//   service is a revert: plan.revert names its field. With inputs.stop, the plan only writes
//   names::kRemediationRevertedAnnotation (the pod template's hash and the manager) and a
//   Warning Event; while that record holds the pod template's current hash and the workload
//   still violates, nothing is planned and the remediation reads "reverted by <manager>". A
//   changed template or a compliant workload removes the record and plans as usual.
// - Restore (complies, exempted, or no policy asks for ScaleDown): the recorded value is put
//   back if the workload is still as we left it (0 replicas, suspended); if its user changed it
//   meanwhile, the user's value stays. A DaemonSet loses the quarantine key only: the rest of
//   its nodeSelector stays as its user has it (keys added, changed or removed while it was
//   quarantined included), and the record only names the keys changed in the Restored Event.
//   The annotation is removed either way.
RemediationPlan PlanRemediation(const nlohmann::json& object,
                                std::span<const Evaluation> evaluations,
                                const RemediationInputs& inputs = {});

// "csp-isolate-<kind>-<name>" (kind in lower case), cut with a hash suffix to fit 253.
std::string IsolationPolicyName(std::string_view kind, std::string_view name);

// A stable hash (hex) of the workload's pod template as CompactWorkload keeps it, without the
// quarantine key: it changes when the owner changes the pods, not when remediation acts.
std::string PodTemplateHash(const nlohmann::json& object);

// The patch to send for `plan` (which has one) to a workload read at `resource_version`. A
// patch that changes the spec (scale-down, restore, quarantine) carries that resourceVersion,
// so it applies only to the version it was planned on: if the user scaled meanwhile, the API
// server answers 409 and the next pass plans on fresh state, instead of recording or restoring
// a stale replica count. A label-only patch applies to any version (labels are recomputed on
// every pass), so a status update by a controller never makes it conflict.
nlohmann::json PatchToSend(const RemediationPlan& plan, std::string_view resource_version);

// One report entry with the policy it belongs to.
struct PolicyEntry {
  std::string policy = {};
  report::Entry entry = {};
};

// The report entries of an evaluation (timestamps unset: see StampTimestamps). With a plan,
// every failing result whose effective action is not Audit records
// properties["remediation"] = plan->remediation, and every result properties["managedBy"] =
// plan->managed_by when there is one.
std::vector<PolicyEntry> ToEntries(const Evaluation& evaluation, const RemediationPlan* plan);

}  // namespace csp::controllers
