#include "csp/manager/node_facts_holder.h"

#include <memory>
#include <vector>

#include "csp/controllers/node_profiles.h"
#include "csp/names/names.h"

namespace csp::manager {

using json = nlohmann::json;

policy::NodeFacts BuildNodeFacts(const Caches& caches) {
  std::vector<json> nodes, profiles;
  for (const auto& node : caches.nodes.List()) nodes.push_back(*node);
  for (const auto& profile : caches.security_profiles.List()) profiles.push_back(*profile);
  // Every agent's report, in either API: with --report-api both an agent writes both, and it
  // removes its report from an API it no longer writes.
  std::vector<std::shared_ptr<const json>> held;
  for (const auto& r : caches.reports) {
    for (auto& report : r->node_reports.List()) held.push_back(std::move(report));
  }
  std::vector<const json*> reports;
  reports.reserve(held.size());
  for (const auto& report : held) reports.push_back(report.get());
  return controllers::NodeFactsFrom(nodes, reports, profiles);
}

bool SameNodeFacts(const policy::NodeFacts& a, const policy::NodeFacts& b) {
  if (a.nodes.size() != b.nodes.size()) return false;
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    if (a.nodes[i].name != b.nodes[i].name || a.nodes[i].labels != b.nodes[i].labels) {
      return false;
    }
  }
  return a.seccomp == b.seccomp && a.apparmor == b.apparmor &&
         a.managed_apparmor == b.managed_apparmor;
}

std::shared_ptr<const policy::NodeFacts> NodeFactsHolder::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

bool NodeFactsHolder::Replace(policy::NodeFacts next) {
  std::lock_guard lock(mu_);
  if (current_ && SameNodeFacts(*current_, next)) return false;
  current_ = std::make_shared<const policy::NodeFacts>(std::move(next));
  return true;
}

}  // namespace csp::manager
