// What the operator remembers about its remediation patches, per workload (by uid), to stop
// fighting another writer (docs/remediation.md "Revert detection", "Patch budget"):
// - reverts: a ScaleDown put back by someone else and re-applied; the next one within the
//   window stops the remediation (recorded on the workload, so the stop outlives a restart);
// - the patch budget: at most `patches_per_hour` patches per workload in any hour, whatever the
//   cause. In memory only: a restart starts every count afresh. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace csp::manager {

struct RemediationGuardSettings {
  std::chrono::seconds revert_window{600};
  // 0: no budget.
  int patches_per_hour = 30;
};

class RemediationGuard {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit RemediationGuard(RemediationGuardSettings settings) : settings_(settings) {}

  // Whether a revert of `uid`'s remediation seen at `now` is one too many: one was re-applied
  // within the window already. Then counts a stop (stops()).
  bool ShouldStop(const std::string& uid, TimePoint now);
  // A revert re-applied at `now`.
  void RecordReapplied(const std::string& uid, TimePoint now);
  // Whether one more patch of `uid` at `now` fits the budget; counts it when it does, and a
  // throttled patch (throttled()) when it does not.
  bool TakePatch(const std::string& uid, TimePoint now);

  std::uint64_t stops() const { return stops_.load(); }
  std::uint64_t throttled() const { return throttled_.load(); }

 private:
  struct Record {
    std::deque<TimePoint> reverts;
    std::deque<TimePoint> patches;
  };
  // Drops times older than the window and the hour; forgets `uid` when nothing is left.
  void Prune(TimePoint now);

  const RemediationGuardSettings settings_;
  std::atomic<std::uint64_t> stops_{0}, throttled_{0};
  std::mutex mu_;
  std::map<std::string, Record> by_uid_;
  TimePoint last_prune_ = {};
};

}  // namespace csp::manager
