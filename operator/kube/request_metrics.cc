#include "csp/kube/request_metrics.h"

namespace csp::kube {

void RequestMetrics::Record(std::string_view verb, int code) {
  std::lock_guard lock(mu_);
  ++counts_[{std::string(verb), code}];
}

std::uint64_t RequestMetrics::Count(std::string_view verb, int code) const {
  std::lock_guard lock(mu_);
  const auto it = counts_.find({std::string(verb), code});
  return it == counts_.end() ? 0 : it->second;
}

std::uint64_t RequestMetrics::Total() const {
  std::lock_guard lock(mu_);
  std::uint64_t total = 0;
  for (const auto& [key, count] : counts_) total += count;
  return total;
}

std::map<std::pair<std::string, int>, std::uint64_t> RequestMetrics::Snapshot() const {
  std::lock_guard lock(mu_);
  return counts_;
}

}  // namespace csp::kube
