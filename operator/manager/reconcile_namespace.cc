#include <map>
#include <set>

#include "csp/controllers/desired_reports.h"
#include "csp/controllers/evaluation.h"
#include "csp/controllers/field_owners.h"
#include "csp/controllers/remediation_plan.h"
#include "csp/log/log.h"
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

// Patches one workload as planned and records the Events. A workload deleted meanwhile is not
// an error: its delete event brings the namespace back without it.
// A spec change carries the resourceVersion it was planned on (controllers::PatchToSend): a
// 409 fails this pass, and the namespace is retried on fresh state.
Status ApplyPlan(ReconcileContext& ctx, const policy::WorkloadRef& ref,
                 const controllers::RemediationPlan& plan, std::uint64_t resource_version,
                 std::chrono::system_clock::time_point now) {
  const WorkloadResource* resource =
      FindWorkloadResource(policy::ApiGroup(ref.api_version), ref.kind);
  if (!resource) return Internal("no API resource for kind " + ref.kind);
  auto patched = ctx.client.Patch(
      resource->ref, ref.ns, ref.name, kube::PatchType::kMerge,
      controllers::PatchToSend(
          plan, resource_version != 0 ? std::to_string(resource_version) : std::string()),
      {.field_manager = std::string(controllers::kOperatorFieldManager)});
  if (!patched) {
    if (patched.error().code == Code::kNotFound) return {};
    return Error{patched.error().code, "patch " + Describe(ref) + ": " + patched.error().message};
  }
  auto written = std::make_shared<const CachedWorkload>(
      CacheWorkloadValue(*patched, ref.api_version, ref.kind));
  ctx.written_workloads.Record(WorkloadKey(ref), written->resource_version, written);
  for (const controllers::Event& event : plan.events) {
    LogInfo(
        event.message,
        {{"reason", event.reason}, {"kind", ref.kind}, {"namespace", ref.ns}, {"name", ref.name}});
    if (Status s = ctx.events.Record(ref, event, now); !s) {
      LogWarn("could not record an Event",
              {{"object", Describe(ref)}, {"reason", event.reason}, {"error", s.error().message}});
    }
  }
  return {};
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
std::string RevertingManager(ReconcileContext& ctx, const policy::WorkloadRef& ref,
                             const controllers::Revert& revert) {
  const WorkloadResource* resource =
      FindWorkloadResource(policy::ApiGroup(ref.api_version), ref.kind);
  if (!resource) return "unknown";
  auto got = ctx.client.Get(resource->ref, ref.ns, ref.name);
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
    for (const auto& [k, result] : report->previous) previous.insert_or_assign(k, result);
  }
  return existing;
}

// Turns `existing` (api's reports of `ns`) into `desired`: creates, updates and deletes, each
// counted in `out`, the first failure kept as its status.
void WriteReports(ReconcileContext& ctx, const ReportCaches& api, const std::string& ns,
                  const std::vector<report::PolicyReport>& desired,
                  const std::vector<controllers::ExistingReport>& existing, NamespaceOutcome& out) {
  const controllers::ReportWrites writes = controllers::DiffReports(desired, existing, api.api);
  const std::string kind(names::NamesOf(api.api).reports.kind);
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
  for (const controllers::ObjectName& name : writes.blocked) {
    LogWarn("a " + kind + " not managed by csp-operator holds the name of ours; not touched",
            {{"namespace", name.ns}, {"name", name.name}});
  }
}

}  // namespace

NamespaceOutcome ReconcileNamespace(ReconcileContext& ctx, const std::string& ns, bool remediate) {
  NamespaceOutcome out;
  const auto now = ctx.now();
  const auto policies = ctx.policies.Current();
  const auto ns_labels = ctx.caches.namespaces.Get(ns);
  const auto node_facts = ctx.node_facts.Current();
  const policy::EvalContext eval_context{.now = std::chrono::floor<std::chrono::seconds>(now),
                                         .node_facts = node_facts.get()};

  std::vector<controllers::PolicyEntry> entries;
  Tallies tallies;
  for (const auto& informer : ctx.caches.workloads) {
    for (const auto& cached : informer->ListNamespace(ns)) {
      if (cached->owned) continue;  // reported on its top-level owner
      auto workload = policy::AsWorkload(cached->object, ns);
      if (!workload) {
        LogWarn("cannot evaluate a workload",
                {{"namespace", ns}, {"error", workload.error().message}});
        continue;
      }
      if (!*workload) continue;
      // What we patched a moment ago, if the cache has not caught up with it yet.
      const auto current = ctx.written_workloads.Newest(WorkloadKey((*workload)->ref), cached,
                                                        cached->resource_version);
      if (current != cached) {
        workload = policy::AsWorkload(current->object, ns);
        if (!workload || !*workload) continue;
      }
      const json& object = current->object;
      WorkloadSignatures signatures(ctx.image_verification);
      auto evaluations = controllers::EvaluateWorkload(
          policies->valid, **workload, ns_labels.get(), eval_context,
          [&signatures](const policy::Policy& p, const policy::Workload& w) {
            return signatures.For(p, w);
          });
      if (!evaluations) {
        LogWarn("cannot evaluate a workload",
                {{"namespace", ns}, {"error", evaluations.error().message}});
        continue;
      }
      // No policy matches any more (its namespace lost the selector label, the policy was
      // deleted or narrowed): planning on no evaluations takes our label off and restores a
      // scale-down. Not while some policy's spec is invalid: it may be the one that matched,
      // and a typo must not release a quarantined workload.
      if (evaluations->empty() && !policies->invalid.empty()) continue;
      const policy::WorkloadRef& ref = (*workload)->ref;
      controllers::RemediationInputs inputs{.argocd_instance_label = ctx.argocd_instance_label};
      controllers::RemediationPlan plan =
          controllers::PlanRemediation(object, *evaluations, inputs);
      const std::string uid = object.contains("metadata") && object["metadata"].is_object()
                                  ? object["metadata"].value("uid", WorkloadKey(ref))
                                  : WorkloadKey(ref);
      RemediationGuard* guard = ctx.remediation_guard;
      // Only a GitOps-managed workload backs off: anyone else putting a field back (its owner
      // scaling it up again) is overruled every time, within the patch budget.
      if (plan.revert && remediate && guard && !plan.managed_by.empty()) {
        plan.revert->manager = RevertingManager(ctx, ref, *plan.revert);
        if (guard->ShouldStop(uid, now)) {
          inputs.stop = plan.revert;
          plan = controllers::PlanRemediation(object, *evaluations, inputs);
        }
      }
      if (plan.patch && !remediate) {
        out.needs_remediation = true;
      } else if (remediate && (plan.patch || plan.isolation != controllers::Isolation::kNone)) {
        if (plan.patch && guard && !guard->TakePatch(uid, now)) {
          LogWarn("remediation patch budget exhausted; not patched",
                  {{"object", Describe(ref)}, {"remediation", plan.remediation}});
        } else {
          Status s;
          if (plan.isolation != controllers::Isolation::kNone) s = SyncIsolation(ctx, ref, plan);
          if (s && plan.patch) {
            ++out.patches;
            s = ApplyPlan(ctx, ref, plan, current->resource_version, now);
            if (s && plan.revert && guard) guard->RecordReapplied(uid, now);
          }
          KeepFirstError(out.status, std::move(s));
        }
      }
      for (const controllers::Evaluation& e : *evaluations) {
        for (auto& entry : controllers::ToEntries(e, &plan)) entries.push_back(std::move(entry));
        controllers::PolicyTally& tally = tallies[e.policy->name];
        tally.Add(e);
        if (!plan.reverted_by.empty() && Enforces(e)) ++tally.reverted;
      }
    }
  }

  // Reports: one desired set, written in each API of --report-api (their previous results,
  // for timestamps, read from all of them).
  std::vector<std::vector<controllers::ExistingReport>> existing;
  controllers::PreviousResults previous;
  for (const auto& api : ctx.caches.reports) {
    existing.push_back(ExistingReports(ctx, *api, ns, policies->invalid, previous));
  }
  const auto desired = controllers::DesiredReports(std::move(entries), previous, ToTimestamp(now));
  for (std::size_t i = 0; i < ctx.caches.reports.size(); ++i) {
    WriteReports(ctx, *ctx.caches.reports[i], ns, desired, existing[i], out);
  }
  out.changed_policies = ctx.tallies.Replace(ns, std::move(tallies));
  return out;
}

}  // namespace csp::manager
