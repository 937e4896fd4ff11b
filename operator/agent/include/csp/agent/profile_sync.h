// The file side of an agent pass: makes the node hold exactly the desired profiles, installing
// only what changed since the last pass and removing what is no longer wanted. It remembers
// what it installed, so that a pass triggered by an unrelated event (another agent's status
// write) touches no file and runs no parser; a full pass re-checks everything against the disk
// and the kernel (at start-up and on the periodic resync) and removes strays left by objects
// deleted while the agent was down. The decisions are PlanPass's (pass_plan.h, pure); this
// class executes them through the ProfileInstaller and keeps the counts.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "csp/agent/pass_plan.h"
#include "csp/agent/profile_installer.h"
#include "csp/profiles/profile_kind.h"

namespace csp::agent {

// A profile the last pass removed from the node (or failed to).
struct ProfileRemoval {
  profiles::ProfileKind kind = profiles::ProfileKind::kSeccomp;
  std::string name = {};
  std::string error = {};  // empty: removed
};

// Cumulative counts of what passes did, for /metrics.
struct SyncStats {
  std::uint64_t written = 0;    // installs that wrote (or loaded) something
  std::uint64_t unchanged = 0;  // installs that found the node already right
  std::uint64_t failed = 0;     // installs that failed
  std::uint64_t removed = 0;    // profiles removed
  std::uint64_t remove_errors = 0;
};

class ProfileSync {
 public:
  using TimePoint = SyncTimePoint;
  using Options = RetryPolicy;

  explicit ProfileSync(ProfileInstaller& installer) : ProfileSync(installer, Options{}) {}
  ProfileSync(ProfileInstaller& installer, Options options)
      : installer_(installer), options_(options) {}

  // One outcome per desired profile, in order. `full` forgets what was remembered, checks
  // every profile against the node again, and removes every installed profile of either kind
  // that `desired` does not name. What to do is PlanPass's; this does it.
  std::vector<ProfileOutcome> Sync(const std::vector<DesiredProfile>& desired, bool full,
                                   TimePoint now);

  // When the earliest failed install or removal is due again; nullopt when none is.
  std::optional<TimePoint> NextRetry() const { return NextWakeUp(known_); }
  const SyncStats& stats() const { return stats_; }
  // What the last Sync removed, for the log.
  const std::vector<ProfileRemoval>& removals() const { return removals_; }

 private:
  void Remove(const RemovalAction& removal, TimePoint now);
  // Records one removal's result: counts, the log list, and a retry when it failed.
  void Removed(const ProfileKey& key, const RemoveResult& result, TimePoint now);
  ProfileOutcome Install(const DesiredProfile& profile, TimePoint now);

  ProfileInstaller& installer_;
  Options options_;
  KnownState known_;  // what the node holds, as of the last pass
  SyncStats stats_;
  std::vector<ProfileRemoval> removals_;
};

}  // namespace csp::agent
