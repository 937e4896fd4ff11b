#include <algorithm>

#include "csp/controllers/policy_status.h"
#include "csp/log/log.h"
#include "csp/manager/reconcilers.h"
#include "csp/manager/resources.h"

namespace csp::manager {

using json = nlohmann::json;

namespace {

// Those of `namespaces` where `policy` may match a workload (its match.kinds and
// workloadSelector aside).
std::vector<std::string> Covered(const ReconcileContext& ctx, const policy::Policy* policy,
                                 std::span<const std::string> namespaces) {
  std::vector<std::string> covered;
  for (const std::string& ns : namespaces) {
    if (policy) {
      const policy::Match& m = policy->match;
      if (std::find(m.exclude_namespaces.begin(), m.exclude_namespaces.end(), ns) !=
          m.exclude_namespaces.end()) {
        continue;
      }
      const auto labels = ctx.caches.namespaces.Get(ns);
      if (m.namespace_selector &&
          !m.namespace_selector->Matches(labels ? *labels : policy::Labels{})) {
        continue;
      }
    }
    covered.push_back(ns);
  }
  return covered;
}

}  // namespace

Status ReconcilePolicy(ReconcileContext& ctx, const std::string& name,
                       std::span<const std::string> failed_namespaces) {
  const auto object = ctx.caches.policies.Get(name);
  if (!object) return {};  // deleted: its reports go with the namespaces' next pass
  const auto policies = ctx.policies.Current();
  const policy::Policy* parsed = policies->Find(name);
  std::string parse_error;
  if (!parsed) {
    auto it = policies->invalid.find(name);
    // Not parsed yet (the set is rebuilt by the informer's handler): the next pass sees it.
    if (it == policies->invalid.end()) return {};
    parse_error = it->second;
  }
  const json* current = nullptr;
  if (auto it = object->find("status"); it != object->end()) current = &*it;
  const controllers::PolicyTally tally = ctx.tallies.Total(name);
  const std::vector<std::string> failed = Covered(ctx, parsed, failed_namespaces);
  const std::int64_t generation = object->value("metadata", json::object()).value("generation", 0);
  const json desired = controllers::BuildPolicyStatus({
      .generation = generation,
      .policy = parsed,
      .parse_error = parse_error,
      .tally = &tally,
      .now = std::chrono::floor<std::chrono::seconds>(ctx.now()),
      .failed_namespaces = failed,
      .previous = current,
  });
  if (current && !controllers::StatusChanged(*current, desired)) return {};
  json next = *object;
  next["status"] = desired;
  auto written = ctx.client.UpdateStatus(kPolicies, "", next);
  if (!written) {
    return Error{written.error().code, "update status of ContainerSecurityPolicy " + name + ": " +
                                           written.error().message};
  }
  LogInfo("updated policy status", {{"policy", name},
                                    {"failing", std::to_string(tally.failing)},
                                    {"total", std::to_string(tally.total)}});
  return {};
}

}  // namespace csp::manager
