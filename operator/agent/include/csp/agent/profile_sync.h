// The file side of an agent pass: makes the node hold exactly the desired profiles, installing
// only what changed since the last pass and removing what is no longer wanted. It remembers
// what it installed, so that a pass triggered by an unrelated event (another agent's status
// write) touches no file and runs no parser; a full pass re-checks everything against the disk
// and the kernel (at start-up and on the periodic resync) and removes strays left by objects
// deleted while the agent was down.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "csp/agent/node_profile_state.h"
#include "csp/agent/profile_installer.h"
#include "csp/profiles/profile_kind.h"

namespace csp::agent {

struct DesiredProfile {
  profiles::ProfileKind kind = profiles::ProfileKind::kSeccomp;
  std::string name = {};
  // What to install; null when the object was refused (then `error` says why, and whatever
  // version the node already holds stays, as for a profile the parser refuses).
  std::shared_ptr<const profiles::RenderedProfile> rendered = {};
  std::string error = {};
};

struct ProfileOutcome {
  profiles::ProfileKind kind = profiles::ProfileKind::kSeccomp;
  std::string name = {};
  NodeProfileState state = NodeProfileState::kPending;
  std::string message = {};

  friend bool operator==(const ProfileOutcome&, const ProfileOutcome&) = default;
};

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
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Options {
    // A failed install is tried again after base * 2^(failures-1), at most max (or at once
    // when its bytes change).
    std::chrono::milliseconds retry_base{2'000};
    std::chrono::milliseconds retry_max{300'000};
  };

  explicit ProfileSync(ProfileInstaller& installer) : ProfileSync(installer, Options{}) {}
  ProfileSync(ProfileInstaller& installer, Options options)
      : installer_(installer), options_(options) {}

  // One outcome per desired profile, in order. `full` forgets what was remembered, checks
  // every profile against the node again, and removes every installed profile of either kind
  // that `desired` does not name.
  std::vector<ProfileOutcome> Sync(const std::vector<DesiredProfile>& desired, bool full,
                                   TimePoint now);

  // When the earliest failed install or removal is due again; nullopt when none is.
  std::optional<TimePoint> NextRetry() const;
  const SyncStats& stats() const { return stats_; }
  // What the last Sync removed, for the log.
  const std::vector<ProfileRemoval>& removals() const { return removals_; }

 private:
  using Key = std::pair<profiles::ProfileKind, std::string>;
  struct Known {
    std::shared_ptr<const profiles::RenderedProfile> rendered;
    NodeProfileState state = NodeProfileState::kPending;
    std::string message;
    int failures = 0;
    TimePoint retry_at = {};
  };

  ProfileOutcome Install(const DesiredProfile& profile, TimePoint now);
  void RemoveUnwanted(const std::map<Key, bool>& wanted, bool full, TimePoint now);
  std::chrono::milliseconds RetryDelay(int failures) const;

  ProfileInstaller& installer_;
  Options options_;
  std::map<Key, Known> known_;             // what the node holds, as of the last pass
  std::map<Key, TimePoint> remove_retry_;  // removals that failed, and when to try again
  SyncStats stats_;
  std::vector<ProfileRemoval> removals_;
};

}  // namespace csp::agent
