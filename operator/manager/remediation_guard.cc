#include "csp/manager/remediation_guard.h"

namespace csp::manager {

namespace {

constexpr std::chrono::hours kBudgetPeriod{1};

void DropBefore(std::deque<RemediationGuard::TimePoint>& times, RemediationGuard::TimePoint t) {
  while (!times.empty() && times.front() <= t) times.pop_front();
}

}  // namespace

void RemediationGuard::Prune(TimePoint now) {
  // Every workload at most once a minute: the map holds only workloads patched lately.
  if (now - last_prune_ < std::chrono::minutes(1)) return;
  last_prune_ = now;
  for (auto it = by_uid_.begin(); it != by_uid_.end();) {
    DropBefore(it->second.reverts, now - settings_.revert_window);
    DropBefore(it->second.patches, now - kBudgetPeriod);
    it = it->second.reverts.empty() && it->second.patches.empty() ? by_uid_.erase(it) : ++it;
  }
}

bool RemediationGuard::ShouldStop(const std::string& uid, TimePoint now) {
  if (settings_.revert_window <= std::chrono::seconds(0)) return false;  // no back-off
  std::lock_guard lock(mu_);
  Prune(now);
  auto it = by_uid_.find(uid);
  if (it == by_uid_.end()) return false;
  DropBefore(it->second.reverts, now - settings_.revert_window);
  if (it->second.reverts.empty()) return false;
  ++stops_;
  it->second.reverts.clear();  // stopped now; a later resume counts afresh
  return true;
}

void RemediationGuard::RecordReapplied(const std::string& uid, TimePoint now) {
  std::lock_guard lock(mu_);
  by_uid_[uid].reverts.push_back(now);
}

bool RemediationGuard::TakePatch(const std::string& uid, TimePoint now) {
  if (settings_.patches_per_hour <= 0) return true;
  std::lock_guard lock(mu_);
  Prune(now);
  std::deque<TimePoint>& patches = by_uid_[uid].patches;
  DropBefore(patches, now - kBudgetPeriod);
  if (patches.size() >= static_cast<std::size_t>(settings_.patches_per_hour)) {
    ++throttled_;
    return false;
  }
  patches.push_back(now);
  return true;
}

}  // namespace csp::manager
