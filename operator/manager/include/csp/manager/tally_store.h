// Each namespace's last PolicyTally per policy, so that a policy's status and the workload
// metrics are sums over namespaces without evaluating every workload again.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "csp/controllers/policy_status.h"

namespace csp::manager {

using Tallies = std::map<std::string, controllers::PolicyTally, std::less<>>;  // by policy

class TallyStore {
 public:
  // Sets namespace `ns`'s tallies; returns the policies whose tally in `ns` changed (appeared,
  // disappeared or differs). An empty `tallies` forgets the namespace.
  std::vector<std::string> Replace(const std::string& ns, Tallies tallies);
  // The sum over namespaces for one policy.
  controllers::PolicyTally Total(std::string_view policy) const;
  // The sums for every policy.
  Tallies Totals() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Tallies, std::less<>> by_namespace_;
};

}  // namespace csp::manager
