#include <functional>
#include <map>
#include <set>

#include "csp/common/json_fields.h"
#include "csp/controllers/desired_reports.h"
#include "csp/controllers/evaluation.h"
#include "csp/controllers/field_owners.h"
#include "csp/controllers/owner_resolution.h"
#include "csp/controllers/remediation_plan.h"
#include "csp/log/log.h"
#include "csp/manager/custom_kinds.h"
#include "csp/manager/reconcilers.h"
#include "csp/manager/resources.h"
#include "csp/names/names.h"

namespace csp::manager {

using json = nlohmann::json;

namespace {

report::Timestamp ToTimestamp(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  return {.seconds = seconds.time_since_epoch().count(),
          .nanos = static_cast<std::int32_t>(
              std::chrono::duration_cast<std::chrono::nanoseconds>(t - seconds).count())};
}

std::string Describe(const policy::WorkloadRef& w) { return w.kind + " " + w.ns + "/" + w.name; }

void KeepFirstError(Status& first, Status next) {
  if (first && !next) first = std::move(next);
}

std::string WorkloadKey(const policy::WorkloadRef& ref) {
  return ref.kind + "/" + ref.ns + "/" + ref.name;
}

// Where a workload's remediation goes: its API resource, its WriteOverlay key and cached
// value, and for a custom kind scaled through /scale, that.
struct Target {
  const kube::ResourceRef* resource = nullptr;
  std::string overlay_key = {};
  bool scale = false;
  // Caches what the server returned for a patched object.
  std::function<CachedWorkload(const json& object)> cache = nullptr;
};

// Patches one workload as planned and records the Events. A workload deleted meanwhile is not
// an error: its delete event brings the namespace back without it.
// A spec change carries the resourceVersion it was planned on (controllers::PatchToSend): a
// 409 fails this pass, and the namespace is retried on fresh state.
// A count for /scale goes after the patch when scaling down (the record first) and before it
// when restoring (the record last): a failure in between never loses the record.
Status ApplyPlan(ReconcileContext& ctx, const Target& target, const policy::WorkloadRef& ref,
                 const controllers::RemediationPlan& plan, std::uint64_t resource_version,
                 std::chrono::system_clock::time_point now) {
  auto scale = [&]() -> Status {
    if (!plan.scale_to) return {};
    auto scaled = ctx.client.Patch(
        *target.resource, ref.ns, ref.name, kube::PatchType::kMerge,
        json{{"spec", {{"replicas", *plan.scale_to}}}},
        {.field_manager = std::string(controllers::kOperatorFieldManager), .subresource = "scale"});
    if (!scaled && scaled.error().code != Code::kNotFound) {
      return Error{scaled.error().code, "scale " + Describe(ref) + ": " + scaled.error().message};
    }
    return {};
  };
  const bool restoring = plan.scale_to && *plan.scale_to > 0;
  if (restoring) {
    if (Status s = scale(); !s) return s;
  }
  if (plan.patch) {
    auto patched = ctx.client.Patch(
        *target.resource, ref.ns, ref.name, kube::PatchType::kMerge,
        controllers::PatchToSend(
            plan, resource_version != 0 ? std::to_string(resource_version) : std::string()),
        {.field_manager = std::string(controllers::kOperatorFieldManager)});
    if (!patched) {
      if (patched.error().code == Code::kNotFound) return {};
      return Error{patched.error().code, "patch " + Describe(ref) + ": " + patched.error().message};
    }
    auto written = std::make_shared<const CachedWorkload>(target.cache(*patched));
    ctx.written_workloads.Record(target.overlay_key, written->resource_version, written);
  }
  if (!restoring) {
    if (Status s = scale(); !s) return s;
  }
  for (const controllers::Event& event : plan.events) {
    LogInfo(
        event.message,
        {{"reason", event.reason}, {"kind", ref.kind}, {"namespace", ref.ns}, {"name", ref.name}});
    if (!ctx.events.Record(ref, event, now)) {
      LogWarn("Event queue full; Event dropped",
              {{"object", Describe(ref)}, {"reason", event.reason}});
    }
  }
  return {};
}

// The replica count of a custom kind's /scale, for planning; nullopt when it cannot be read
// (the object is then labeled only, this pass). A Scale leaves out a count of 0 (omitempty),
// and reads 0 for an object without one at its specReplicasPath.
std::optional<std::int64_t> ScaleReplicas(ReconcileContext& ctx, const Target& target,
                                          const policy::WorkloadRef& ref) {
  auto got = ctx.client.Get(*target.resource, ref.ns, ref.name, "scale");
  if (!got) {
    LogWarn("cannot read /scale", {{"object", Describe(ref)}, {"error", got.error().message}});
    return std::nullopt;
  }
  const json* spec = got->contains("spec") ? &(*got)["spec"] : nullptr;
  if (!spec || !spec->is_object()) return 0;
  auto replicas = spec->find("replicas");
  return replicas != spec->end() && replicas->is_number_integer() ? replicas->get<std::int64_t>()
                                                                  : 0;
}

bool Ours(const json& object) {
  const json* managed_by = object.contains("metadata") && object["metadata"].is_object() &&
                                   object["metadata"].contains("labels") &&
                                   object["metadata"]["labels"].is_object()
                               ? &object["metadata"]["labels"]
                               : nullptr;
  if (!managed_by) return false;
  auto it = managed_by->find(names::kManagedByLabel);
  return it != managed_by->end() && *it == names::kManagedByOperator;
}

// Action Isolate: the planned NetworkPolicy exists as planned (created, or its spec put back),
// or the released one is gone. A NetworkPolicy of that name that we did not create is never
// touched: isolation fails (and is retried) rather than take it over.
Status SyncIsolation(ReconcileContext& ctx, const policy::WorkloadRef& ref,
                     const controllers::RemediationPlan& plan) {
  const std::string& name = plan.network_policy_name;
  auto got = ctx.client.Get(kNetworkPolicies, ref.ns, name);
  if (!got && got.error().code != Code::kNotFound) return got.error();
  if (plan.isolation == controllers::Isolation::kRelease) {
    if (!got || !Ours(*got)) return {};
    Status deleted = ctx.client.Delete(kNetworkPolicies, ref.ns, name);
    if (!deleted && deleted.error().code != Code::kNotFound) return deleted;
    LogInfo("deleted NetworkPolicy", {{"namespace", ref.ns}, {"name", name}});
    return {};
  }
  if (!got) {
    auto created = ctx.client.Create(kNetworkPolicies, ref.ns, plan.network_policy);
    if (!created) return created.error();
    LogInfo("created NetworkPolicy", {{"namespace", ref.ns}, {"name", name}});
    return {};
  }
  if (!Ours(*got)) {
    return Error{Code::kFailedPrecondition,
                 "NetworkPolicy " + ref.ns + "/" + name + " exists and is not csp-operator's"};
  }
  if (got->value("spec", json()) == plan.network_policy["spec"]) return {};
  json update = plan.network_policy;
  update["metadata"]["resourceVersion"] = (*got)["metadata"].value("resourceVersion", "");
  auto updated = ctx.client.Update(kNetworkPolicies, ref.ns, update);
  if (!updated) return updated.error();
  return {};
}

// The field manager that put `revert` back, from the workload's managedFields (the cache
// drops them: one GET, as reverts are rare); "unknown" when none says.
std::string RevertingManager(ReconcileContext& ctx, const Target& target,
                             const policy::WorkloadRef& ref, const controllers::Revert& revert) {
  auto got = ctx.client.Get(*target.resource, ref.ns, ref.name);
  if (!got) return "unknown";
  return controllers::OtherOwnerOf(*got, revert.path).value_or("unknown");
}

// Whether `e` has a failing result its policy enforces (an action other than Audit).
bool Enforces(const controllers::Evaluation& e) {
  for (const policy::RuleResult& r : e.results) {
    if (r.outcome == policy::Outcome::kFail &&
        controllers::EffectiveAction(*e.policy, r) != policy::Action::kAudit) {
      return true;
    }
  }
  return false;
}

// The reports of `api` in scope for namespace `ns`: every one cached or just written, except
// those of a policy whose spec is invalid (kept until it is fixed). Adds our previous results
// to `previous`.
std::vector<controllers::ExistingReport> ExistingReports(
    ReconcileContext& ctx, const ReportCaches& api, const std::string& ns,
    const std::map<std::string, std::string, std::less<>>& invalid_policies,
    controllers::PreviousResults& previous) {
  std::map<std::string, std::shared_ptr<const CachedReport>, std::less<>> reports;
  for (const auto& cached : api.reports.ListNamespace(ns)) {
    const std::string key = api.OverlayKey(ns, cached->summary.name);
    reports[key] = ctx.written_reports.Newest(
        key, cached, ParseResourceVersion(cached->summary.resource_version));
  }
  for (auto& [key, written] : ctx.written_reports.WithPrefix(api.OverlayKey(ns, ""))) {
    if (!reports.contains(key)) reports[key] = std::move(written);  // created, not cached yet
  }
  std::vector<controllers::ExistingReport> existing;
  for (const auto& [key, report] : reports) {
    if (report->summary.managed && invalid_policies.contains(report->policy)) continue;
    existing.push_back(report->summary);
    controllers::MergePreviousResults(previous, report->previous);
  }
  return existing;
}

// Turns `existing` (api's reports of `ns`) into `desired`: creates, updates and deletes, each
// counted in `out`, the first failure kept as its status.
void WriteReports(ReconcileContext& ctx, const ReportCaches& api, const std::string& ns,
                  const std::vector<report::PolicyReport>& desired,
                  const std::vector<controllers::ExistingReport>& existing, NamespaceOutcome& out) {
  const controllers::ReportWrites writes =
      controllers::DiffReports(desired, existing, api.api,
                               ctx.report_digests ? ctx.report_digests->Of(api.api, ns, desired)
                                                  : std::vector<std::uint64_t>());
  const std::string kind(names::NamesOf(api.api).reports.kind);
  const auto start = std::chrono::steady_clock::now();
  // Counts a report write and keeps its error, if any, naming the report.
  auto record = [&](std::string_view verb, const std::string& name, const Status& status) {
    ++out.report_writes;
    if (status) {
      LogInfo(std::string(verb) + "d " + kind, {{"namespace", ns}, {"name", name}});
      return;
    }
    KeepFirstError(out.status,
                   Error{status.error().code, std::string(verb) + " " + kind + " " + ns + "/" +
                                                  name + ": " + status.error().message});
  };
  // A report we wrote, as the server returned it, until the cache shows it.
  auto status_of = [&](const Result<json>& r) {
    if (!r) return Status(r.error());
    auto written = std::make_shared<const CachedReport>(CacheReport(*r));
    ctx.written_reports.Record(api.OverlayKey(ns, written->summary.name),
                               ParseResourceVersion(written->summary.resource_version), written);
    return Status();
  };
  for (const json& report : writes.creates) {
    record("create", report["metadata"].value("name", ""),
           status_of(ctx.client.Create(api.reports_ref, ns, report)));
  }
  for (const json& report : writes.updates) {
    record("update", report["metadata"].value("name", ""),
           status_of(ctx.client.Update(api.reports_ref, ns, report)));
  }
  for (const controllers::ObjectName& name : writes.deletes) {
    ctx.written_reports.Forget(api.OverlayKey(name.ns, name.name));
    Status deleted = ctx.client.Delete(api.reports_ref, name.ns, name.name);
    ++out.report_writes;
    if (!deleted && deleted.error().code != Code::kNotFound) {
      KeepFirstError(out.status,
                     Error{deleted.error().code, "delete " + kind + " " + name.ns + "/" +
                                                     name.name + ": " + deleted.error().message});
    } else {
      LogInfo("deleted " + kind, {{"namespace", name.ns}, {"name", name.name}});
    }
  }
  out.report_write_time += std::chrono::steady_clock::now() - start;
  for (const controllers::ObjectName& name : writes.blocked) {
    LogWarn("a " + kind + " not managed by csp-operator holds the name of ours; not touched",
            {{"namespace", name.ns}, {"name", name.name}});
  }
}

// What one namespace pass gathers from its workloads.
struct Gathered {
  std::vector<controllers::PolicyEntry> entries;
  Tallies tallies;
};

// The evaluations of every pod template of one object (one for a built-in kind) under every
// policy matching it; nullopt (logged) when the object is malformed.
std::optional<std::vector<controllers::Evaluation>> EvaluateTemplates(
    ReconcileContext& ctx, const PolicySet& policies, std::span<const policy::Workload> templates,
    const policy::Labels* ns_labels, const policy::EvalContext& eval_context,
    const std::string& ns) {
  std::vector<controllers::Evaluation> all;
  for (const policy::Workload& workload : templates) {
    WorkloadSignatures signatures(ctx.image_verification);
    auto evaluations = controllers::EvaluateWorkload(
        policies.valid, workload, ns_labels, eval_context,
        [&signatures](const policy::Policy& p, const policy::Workload& w) {
          return signatures.For(p, w);
        });
    if (!evaluations) {
      LogWarn("cannot evaluate a workload",
              {{"namespace", ns}, {"error", evaluations.error().message}});
      return std::nullopt;
    }
    for (auto& e : *evaluations) all.push_back(std::move(e));
  }
  return all;
}

// One top-level workload (`object`, as `current` caches it packed, named `ref`): its remediation
// planned and applied, its results and tallies gathered.
void JudgeWorkload(ReconcileContext& ctx, const PolicySet& policies, const Target& target,
                   const CachedWorkload& current, const json& object,
                   const policy::WorkloadRef& ref,
                   const std::vector<controllers::Evaluation>& evaluations, bool remediate,
                   std::chrono::system_clock::time_point now, NamespaceOutcome& out,
                   Gathered& gathered) {
  // No policy matches any more (its namespace lost the selector label, the policy was
  // deleted or narrowed): planning on no evaluations takes our label off and restores a
  // scale-down. Not while some policy's spec is invalid: it may be the one that matched,
  // and a typo must not release a quarantined workload.
  if (evaluations.empty() && !policies.invalid.empty()) return;
  controllers::RemediationInputs inputs{.argocd_instance_label = ctx.argocd_instance_label};
  controllers::RemediationPlan plan = controllers::PlanRemediation(object, evaluations, inputs);
  // A custom kind scaled through /scale: its count is read only when a scale-down is asked for
  // or recorded, and the plan made again with it (in the report-only pass too: the results'
  // remediation text depends on it).
  const json* meta = FieldAt(object, "metadata");
  const json* annotations = meta != nullptr ? FieldAt(*meta, "annotations") : nullptr;
  if (target.scale &&
      (plan.action == policy::Action::kScaleDown ||
       (annotations != nullptr && FieldAt(*annotations, names::kScaledDownFromAnnotation)))) {
    inputs.scale_replicas = ScaleReplicas(ctx, target, ref);
    if (inputs.scale_replicas) plan = controllers::PlanRemediation(object, evaluations, inputs);
  }
  const std::string* uid_field = meta != nullptr ? StringPtrAt(*meta, "uid") : nullptr;
  const std::string& uid = uid_field != nullptr ? *uid_field : target.overlay_key;
  RemediationGuard* guard = ctx.remediation_guard;
  // Only a GitOps-managed workload backs off: anyone else putting a field back (its owner
  // scaling it up again) is overruled every time, within the patch budget.
  if (plan.revert && remediate && guard && !plan.managed_by.empty()) {
    plan.revert->manager = RevertingManager(ctx, target, ref, *plan.revert);
    if (guard->ShouldStop(uid, now)) {
      inputs.stop = plan.revert;
      plan = controllers::PlanRemediation(object, evaluations, inputs);
    }
  }
  const bool writes = plan.patch || plan.scale_to;
  if (writes && !remediate) {
    out.needs_remediation = true;
  } else if (remediate && (writes || plan.isolation != controllers::Isolation::kNone)) {
    if (writes && guard && !guard->TakePatch(uid, now)) {
      LogWarn("remediation patch budget exhausted; not patched",
              {{"object", Describe(ref)}, {"remediation", plan.remediation}});
    } else {
      Status s;
      if (plan.isolation != controllers::Isolation::kNone) s = SyncIsolation(ctx, ref, plan);
      if (s && writes) {
        ++out.patches;
        s = ApplyPlan(ctx, target, ref, plan, current.resource_version, now);
        if (s && plan.revert && guard) guard->RecordReapplied(uid, now);
      }
      KeepFirstError(out.status, std::move(s));
    }
  }
  for (const controllers::Evaluation& e : evaluations) {
    for (auto& entry : controllers::ToEntries(e, &plan)) {
      gathered.entries.push_back(std::move(entry));
    }
    controllers::PolicyTally& tally = gathered.tallies[e.policy->name];
    tally.Add(e);
    if (!plan.reverted_by.empty() && Enforces(e)) ++tally.reverted;
  }
}

// Whether `object`'s controller is a declared custom kind: it is reported on that owner (a
// Rollout's ReplicaSets), as a Deployment's ReplicaSets are on theirs.
bool ControlledByCustomKind(const json& object, std::span<const policy::WorkloadKind> kinds) {
  auto owner = controllers::ControllerRef(object);
  return owner && policy::FindWorkloadKind(kinds, policy::ApiGroup(owner->api_version),
                                           owner->kind) != nullptr;
}

}  // namespace

NamespaceOutcome ReconcileNamespace(ReconcileContext& ctx, const std::string& ns, bool remediate) {
  NamespaceOutcome out;
  const auto now = ctx.now();
  const auto policies = ctx.policies.Current();
  const auto ns_labels = ctx.caches.namespaces.Get(ns);
  const auto node_facts = ctx.node_facts.Current();
  const auto custom =
      ctx.custom_kinds ? ctx.custom_kinds->Current() : std::make_shared<const CustomKindSet>();
  const policy::EvalContext eval_context{.now = std::chrono::floor<std::chrono::seconds>(now),
                                         .node_facts = node_facts.get()};

  Gathered gathered;
  const auto builtin = WorkloadResources();
  for (std::size_t i = 0; i < builtin.size(); ++i) {
    const std::string api_version = builtin[i].ref.ApiVersion();
    const Target target_kind{.resource = &builtin[i].ref, .cache = [&](const json& o) {
                               return CacheWorkloadValue(o, api_version, builtin[i].kind);
                             }};
    for (const auto& cached : ctx.caches.workloads[i]->ListNamespace(ns)) {
      if (cached->owned) continue;  // reported on its top-level owner
      json object = cached->object.Unpack();
      if (ControlledByCustomKind(object, custom->declarations)) continue;
      auto workload = policy::AsWorkload(object, ns);
      if (!workload) {
        LogWarn("cannot evaluate a workload",
                {{"namespace", ns}, {"error", workload.error().message}});
        continue;
      }
      if (!*workload) continue;
      Target target = target_kind;
      target.overlay_key = WorkloadKey((*workload)->ref);
      // What we patched a moment ago, if the cache has not caught up with it yet.
      const auto current =
          ctx.written_workloads.Newest(target.overlay_key, cached, cached->resource_version);
      if (current != cached) {
        object = current->object.Unpack();
        workload = policy::AsWorkload(object, ns);
        if (!workload || !*workload) continue;
      }
      auto evaluations = EvaluateTemplates(ctx, *policies, std::span(&**workload, 1),
                                           ns_labels.get(), eval_context, ns);
      if (!evaluations) continue;
      JudgeWorkload(ctx, *policies, target, *current, object, (*workload)->ref, *evaluations,
                    remediate, now, out, gathered);
    }
  }
  for (const CustomKind& kind : custom->kinds) {
    const std::string api_version = kind.declaration.ApiVersion();
    const Target target_kind{
        .resource = &kind.ref, .scale = kind.scale, .cache = [&](const json& o) {
          return CacheCustomWorkload(o, api_version, kind.declaration.kind);
        }};
    for (const auto& cached : kind.informer->ListNamespace(ns)) {
      json object = cached->object.Unpack();
      const json* meta = FieldAt(object, "metadata");
      std::string name(meta != nullptr ? StringAt(*meta, "name") : "");
      std::string uid(meta != nullptr ? StringAt(*meta, "uid") : "");
      Target target = target_kind;
      target.overlay_key = kind.OverlayKey(ns, name);
      const auto current =
          ctx.written_workloads.Newest(target.overlay_key, cached, cached->resource_version);
      if (current != cached) object = current->object.Unpack();  // the same name and uid
      if (ControlledByCustomKind(object, custom->declarations)) continue;
      auto templates = policy::AsCustomWorkloads(object, custom->declarations, ns);
      if (!templates) {
        LogWarn("cannot evaluate a workload",
                {{"namespace", ns}, {"error", templates.error().message}});
        continue;
      }
      if (!*templates) continue;
      policy::WorkloadRef ref{.api_version = api_version,
                              .kind = kind.declaration.kind,
                              .ns = ns,
                              .name = std::move(name),
                              .uid = std::move(uid)};
      auto evaluations =
          EvaluateTemplates(ctx, *policies, **templates, ns_labels.get(), eval_context, ns);
      if (!evaluations) continue;
      JudgeWorkload(ctx, *policies, target, *current, object, ref, *evaluations, remediate, now,
                    out, gathered);
    }
  }

  // Reports: one desired set, written in each API of --report-api (their previous results,
  // for timestamps, read from all of them).
  std::vector<std::vector<controllers::ExistingReport>> existing;
  controllers::PreviousResults previous;
  for (const auto& api : ctx.caches.reports) {
    existing.push_back(ExistingReports(ctx, *api, ns, policies->invalid, previous));
  }
  const auto desired =
      controllers::DesiredReports(std::move(gathered.entries), previous, ToTimestamp(now));
  for (std::size_t i = 0; i < ctx.caches.reports.size(); ++i) {
    WriteReports(ctx, *ctx.caches.reports[i], ns, desired, existing[i], out);
  }
  out.changed_policies = ctx.tallies.Replace(ns, std::move(gathered.tallies));
  return out;
}

}  // namespace csp::manager
