#include "csp/manager/vap_sync.h"

#include <set>
#include <string>

#include "csp/manager/resources.h"
#include "csp/names/names.h"

namespace csp::manager {
namespace {

constexpr std::string_view kFieldManager = "csp-operator";

// The names of the operator's objects of `resource`.
Result<std::set<std::string>> OwnedNames(kube::Client& client, const kube::ResourceRef& resource) {
  kube::ListOptions options;
  options.label_selector =
      std::string(names::kManagedByLabel) + "=" + std::string(names::kManagedByOperator);
  CSP_TRY(kube::ListPage page, client.ListAll(resource, "", options));
  std::set<std::string> out;
  for (const nlohmann::json& item : page.items) {
    out.insert(item.value("/metadata/name"_json_pointer, std::string()));
  }
  return out;
}

}  // namespace

Result<VapSyncOutcome> SyncValidatingAdmissionPolicies(kube::Client& client,
                                                       const controllers::VapSettings& settings,
                                                       std::span<const policy::Policy> policies,
                                                       std::chrono::sys_seconds now) {
  VapSyncOutcome outcome;
  std::set<std::string> wanted;
  for (const policy::Policy& p : policies) {
    auto generated = controllers::DesiredValidatingAdmissionPolicy(p, settings, now);
    if (!generated) continue;
    const std::string name = controllers::ValidatingAdmissionPolicyName(p.name);
    wanted.insert(name);
    CSP_TRY(auto vap, client.Apply(kValidatingAdmissionPolicies, "", generated->policy,
                                   kFieldManager, /*force=*/true));
    CSP_TRY(auto binding, client.Apply(kValidatingAdmissionPolicyBindings, "", generated->binding,
                                       kFieldManager, /*force=*/true));
    ++outcome.applied;
    if (generated->regenerate_at &&
        (!outcome.regenerate_at || *generated->regenerate_at < *outcome.regenerate_at)) {
      outcome.regenerate_at = generated->regenerate_at;
    }
  }
  for (const kube::ResourceRef* resource :
       {&kValidatingAdmissionPolicyBindings, &kValidatingAdmissionPolicies}) {
    CSP_TRY(auto existing, OwnedNames(client, *resource));
    for (const std::string& name : existing) {
      if (wanted.contains(name)) continue;
      Status deleted = client.Delete(*resource, "", name);
      if (!deleted && deleted.error().code != Code::kNotFound) return deleted.error();
      ++outcome.deleted;
    }
  }
  return outcome;
}

}  // namespace csp::manager
