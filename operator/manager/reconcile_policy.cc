#include "csp/controllers/policy_status.h"
#include "csp/log/log.h"
#include "csp/manager/reconcilers.h"
#include "csp/manager/resources.h"

namespace csp::manager {

using json = nlohmann::json;

Status ReconcilePolicy(ReconcileContext& ctx, const std::string& name) {
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
  const std::int64_t generation = object->value("metadata", json::object()).value("generation", 0);
  const json desired = controllers::BuildPolicyStatus({
      .generation = generation,
      .policy = parsed,
      .parse_error = parse_error,
      .tally = &tally,
      .now = std::chrono::floor<std::chrono::seconds>(ctx.now()),
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
