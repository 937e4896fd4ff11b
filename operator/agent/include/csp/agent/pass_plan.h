// What one agent pass does to the node's profile files, decided without doing it. Pure: no I/O,
// no clock (the caller passes `now`), no threads. ProfileSync executes a plan through the
// ProfileInstaller and records each result with RecordInstall / RecordRemoval, so that every
// rule of a pass (what is skipped, retried, removed, when to wake) is here and table-tested.
//
// A pass installs only what changed since the last one and removes what is no longer wanted;
// a full pass (start-up, periodic resync) forgets what it remembers, re-checks every profile
// against the node, and sweeps each kind's folder of everything not wanted (strays left by
// objects deleted while the agent was down).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "csp/agent/node_profile_state.h"
#include "csp/agent/profile_installer.h"
#include "csp/profiles/profile_kind.h"

namespace csp::agent {

using SyncTimePoint = std::chrono::steady_clock::time_point;
using ProfileKey = std::pair<profiles::ProfileKind, std::string>;

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

struct RetryPolicy {
  // A failed install is tried again after base * 2^(failures-1), at most max (or at once when
  // its bytes change); a failed removal after base.
  std::chrono::milliseconds base{2'000};
  std::chrono::milliseconds max{300'000};
};

// What the agent believes the node holds, as of the last pass.
struct KnownProfile {
  // What was last installed (or tried); null after the object was refused following a failure.
  std::shared_ptr<const profiles::RenderedProfile> rendered = {};
  NodeProfileState state = NodeProfileState::kPending;
  std::string message = {};
  int failures = 0;  // consecutive failed installs of these bytes
  SyncTimePoint retry_at = {};

  friend bool operator==(const KnownProfile&, const KnownProfile&) = default;
};
struct KnownState {
  std::map<ProfileKey, KnownProfile> profiles = {};
  std::map<ProfileKey, SyncTimePoint> removal_retries = {};  // failed removals, due then

  friend bool operator==(const KnownState&, const KnownState&) = default;
};

// One step per desired profile, in the order of `desired`.
enum class ProfileStep {
  kInstall,     // write (AppArmor: and load) through the installer, then RecordInstall
  kKeep,        // the node holds these bytes as the last pass left them: report that again
  kRetryLater,  // installing these bytes failed and the retry is not due: report the failure
  kRefused,     // the object was refused: nothing to install; the installed version stays,
                // and a failed install of its earlier bytes is not retried
};
struct ProfileAction {
  ProfileStep step = ProfileStep::kInstall;
  // What to report for every step but kInstall (whose outcome comes from RecordInstall).
  ProfileOutcome outcome = {};

  friend bool operator==(const ProfileAction&, const ProfileAction&) = default;
};

// Removals run before the installs.
struct RemovalAction {
  profiles::ProfileKind kind = profiles::ProfileKind::kSeccomp;
  // Sweep (full pass): remove every profile of `kind` on the node but those in `keep`.
  // Otherwise remove the one profile `name`.
  bool sweep = false;
  std::string name = {};
  std::set<std::string> keep = {};

  friend bool operator==(const RemovalAction&, const RemovalAction&) = default;
};

struct PassPlan {
  std::vector<RemovalAction> removals = {};
  std::vector<ProfileAction> profiles = {};  // one per desired profile
  // What the pass starts from: for a full pass nothing; otherwise the known state less the
  // profiles it removes. The executor records results into it and keeps it for the next pass.
  KnownState known = {};

  friend bool operator==(const PassPlan&, const PassPlan&) = default;
};

PassPlan PlanPass(const std::vector<DesiredProfile>& desired, KnownState known, bool full,
                  SyncTimePoint now);

// After an install the plan asked for: what to report, and what to remember (a failure of the
// same bytes again doubles the delay before the next try).
ProfileOutcome RecordInstall(KnownState& known, const DesiredProfile& profile,
                             const InstallResult& result, SyncTimePoint now,
                             const RetryPolicy& retry);

// After a removal the plan asked for (or one a sweep reported): a failed one is tried again
// after retry.base by the next pass that is not full (a full pass sweeps anyway).
void RecordRemoval(KnownState& known, const ProfileKey& key, bool failed, SyncTimePoint now,
                   const RetryPolicy& retry);

// When the next pass is due for a retry: the earliest failed install or removal in `known`;
// nullopt when none is. Asked of the state after a pass, not of the plan, because an install
// that fails during the pass schedules its own retry.
std::optional<SyncTimePoint> NextWakeUp(const KnownState& known);

}  // namespace csp::agent
