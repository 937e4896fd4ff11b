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
#include "csp/names/names.h"
#include "csp/report/policy_report.h"

namespace csp::controllers {

struct Event {
  std::string type = {};    // "Normal" | "Warning"
  std::string reason = {};  // Labeled, Unlabeled, ScaledDown, Restored
  std::string message = {};
  bool operator==(const Event&) const = default;
};

struct RemediationPlan {
  // The strongest effective action among the failing rules: ScaleDown > Label > Audit.
  policy::Action action = policy::Action::kAudit;
  // Sorted, unique ids of failing rules whose effective action is Label or ScaleDown.
  std::vector<std::string> violations = {};
  // A JSON merge patch for the workload; nullopt when it is already in the desired state.
  std::optional<nlohmann::json> patch = {};
  std::vector<Event> events = {};  // one per change the patch makes
  // The remediation in effect once the patch is applied, for properties["remediation"] of the
  // enforced failing results, e.g. "scaled-down from 3 replicas"; empty when none.
  std::string remediation = {};
};

// Plans the remediation of one top-level workload (ResolveOwner: is_self; `object` whole or
// CompactWorkload) from its evaluations under every policy that matches it. Rules:
// - A rule's effective action is EffectiveAction(); of several policies failing the same
//   workload, the strongest action wins (ScaleDown > Label > Audit). Audit-only failures
//   change nothing on the workload.
// - Labeled (some matching policy asks for Label or ScaleDown on an enabled rule): label
//   compliant "false" with the violations annotation, or "true" without it. When no policy asks
//   any more, both are removed.
// - ScaleDown: replicas 0 (Deployment, StatefulSet, ReplicaSet, ReplicationController),
//   suspend true (Job, CronJob), the quarantine nodeSelector key (DaemonSet); the previous
//   value goes to names::kScaledDownFromAnnotation (replicas as a number, "false", or the JSON of
//   the previous nodeSelector). A workload at 0 replicas or suspended without that annotation was
//   taken out of service by its user: left alone, and never restored. A Pod is only labeled.
// - Restore (complies, exempted, or no policy asks for ScaleDown): the recorded value is put
//   back if the workload is still as we left it (0 replicas, suspended); if its user changed it
//   meanwhile, the user's value stays. A DaemonSet loses the quarantine key only: the rest of
//   its nodeSelector stays as its user has it (keys added, changed or removed while it was
//   quarantined included), and the record only names the keys changed in the Restored Event.
//   The annotation is removed either way.
RemediationPlan PlanRemediation(const nlohmann::json& object,
                                std::span<const Evaluation> evaluations);

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
// every failing result whose effective action is Label or ScaleDown records
// properties["remediation"] = plan->remediation.
std::vector<PolicyEntry> ToEntries(const Evaluation& evaluation, const RemediationPlan* plan);

}  // namespace csp::controllers
