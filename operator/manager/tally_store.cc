#include "csp/manager/tally_store.h"

#include <set>

namespace csp::manager {

std::vector<std::string> TallyStore::Replace(const std::string& ns, Tallies tallies) {
  std::lock_guard lock(mu_);
  static const Tallies kNone;
  auto it = by_namespace_.find(ns);
  const Tallies& old = it != by_namespace_.end() ? it->second : kNone;
  std::set<std::string> changed;
  for (const auto& [policy, tally] : tallies) {
    auto o = old.find(policy);
    if (o == old.end() || !(o->second == tally)) changed.insert(policy);
  }
  for (const auto& [policy, tally] : old) {
    if (!tallies.contains(policy)) changed.insert(policy);
  }
  if (tallies.empty()) {
    if (it != by_namespace_.end()) by_namespace_.erase(it);
  } else {
    by_namespace_.insert_or_assign(ns, std::move(tallies));
  }
  return {changed.begin(), changed.end()};
}

controllers::PolicyTally TallyStore::Total(std::string_view policy) const {
  std::lock_guard lock(mu_);
  controllers::PolicyTally total;
  for (const auto& [ns, tallies] : by_namespace_) {
    if (auto it = tallies.find(policy); it != tallies.end()) total.Merge(it->second);
  }
  return total;
}

Tallies TallyStore::Totals() const {
  std::lock_guard lock(mu_);
  Tallies totals;
  for (const auto& [ns, tallies] : by_namespace_) {
    for (const auto& [policy, tally] : tallies) totals[policy].Merge(tally);
  }
  return totals;
}

}  // namespace csp::manager
