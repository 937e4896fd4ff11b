#include "csp/agent/pass_plan.h"

#include <algorithm>

namespace csp::agent {
namespace {

std::string InstalledMessage(profiles::ProfileKind kind) {
  return kind == profiles::ProfileKind::kSeccomp ? "installed" : "installed and loaded";
}

bool SameBytes(const std::shared_ptr<const profiles::RenderedProfile>& a,
               const std::shared_ptr<const profiles::RenderedProfile>& b) {
  return a == b || (a && b && a->bytes == b->bytes);
}

std::chrono::milliseconds RetryDelay(int failures, const RetryPolicy& retry) {
  std::chrono::milliseconds delay = retry.base;
  for (int i = 1; i < failures && delay < retry.max; ++i) delay *= 2;
  return std::min(delay, retry.max);
}

std::vector<RemovalAction> PlanRemovals(const std::set<ProfileKey>& wanted, KnownState& known,
                                        bool full, SyncTimePoint now) {
  std::vector<RemovalAction> removals;
  if (full) {
    // Whatever is on disk and not wanted goes: strays included, not only what was remembered.
    for (profiles::ProfileKind kind :
         {profiles::ProfileKind::kSeccomp, profiles::ProfileKind::kAppArmor}) {
      RemovalAction sweep{.kind = kind, .sweep = true};
      for (const auto& [wanted_kind, name] : wanted) {
        if (wanted_kind == kind) sweep.keep.insert(name);
      }
      removals.push_back(std::move(sweep));
    }
    return removals;
  }
  std::vector<ProfileKey> unwanted;
  for (const auto& [key, unused] : known.profiles) {
    if (!wanted.contains(key)) unwanted.push_back(key);
  }
  for (const auto& [key, due] : known.removal_retries) {
    if (!wanted.contains(key) && due <= now) unwanted.push_back(key);
  }
  for (const ProfileKey& key : unwanted) {
    // Forgotten now; a removal that fails is put back by RecordRemoval.
    known.profiles.erase(key);
    known.removal_retries.erase(key);
    removals.push_back({.kind = key.first, .name = key.second});
  }
  return removals;
}

ProfileAction PlanProfile(const DesiredProfile& profile, const KnownState& known,
                          SyncTimePoint now) {
  ProfileAction action{.outcome = {.kind = profile.kind, .name = profile.name}};
  if (!profile.rendered) {
    action.step = ProfileStep::kRefused;
    action.outcome.state = NodeProfileState::kFailed;
    action.outcome.message = profile.error;
    return action;
  }
  auto it = known.profiles.find({profile.kind, profile.name});
  if (it == known.profiles.end() || !SameBytes(it->second.rendered, profile.rendered)) {
    return action;  // kInstall
  }
  const KnownProfile& last = it->second;
  if (last.state == NodeProfileState::kFailed && now >= last.retry_at) return action;
  action.step =
      last.state == NodeProfileState::kFailed ? ProfileStep::kRetryLater : ProfileStep::kKeep;
  action.outcome.state = last.state;
  action.outcome.message = last.message;
  return action;
}

// A refused object's failed install is not retried: the bytes that failed are no longer what the
// object asks for. The entry stays (a later deletion still removes the file); without bytes it
// matches no new version, which is then installed at once.
void ForgetFailedBytes(KnownState& known, const DesiredProfile& profile) {
  auto it = known.profiles.find({profile.kind, profile.name});
  if (it != known.profiles.end() && it->second.state == NodeProfileState::kFailed) {
    it->second.rendered = nullptr;
  }
}

}  // namespace

PassPlan PlanPass(const std::vector<DesiredProfile>& desired, KnownState known, bool full,
                  SyncTimePoint now) {
  PassPlan plan;
  if (full) known = {};
  std::set<ProfileKey> wanted;
  for (const DesiredProfile& profile : desired) wanted.insert({profile.kind, profile.name});
  // Wanted again: a pending removal of the same name is moot.
  std::erase_if(known.removal_retries,
                [&](const auto& entry) { return wanted.contains(entry.first); });
  plan.removals = PlanRemovals(wanted, known, full, now);
  plan.profiles.reserve(desired.size());
  for (const DesiredProfile& profile : desired) {
    plan.profiles.push_back(PlanProfile(profile, known, now));
    if (plan.profiles.back().step == ProfileStep::kRefused) ForgetFailedBytes(known, profile);
  }
  plan.known = std::move(known);
  return plan;
}

ProfileOutcome RecordInstall(KnownState& known, const DesiredProfile& profile,
                             const InstallResult& result, SyncTimePoint now,
                             const RetryPolicy& retry) {
  ProfileOutcome outcome{.kind = profile.kind, .name = profile.name};
  outcome.state = NodeStateOf(result.state);
  outcome.message = outcome.state == NodeProfileState::kInstalled ? InstalledMessage(profile.kind)
                                                                  : result.message;
  const ProfileKey key{profile.kind, profile.name};
  int failures = 0;
  if (outcome.state == NodeProfileState::kFailed) {
    auto last = known.profiles.find(key);
    const bool same =
        last != known.profiles.end() && SameBytes(last->second.rendered, profile.rendered);
    failures = same ? last->second.failures + 1 : 1;
  }
  known.profiles.insert_or_assign(key, KnownProfile{.rendered = profile.rendered,
                                                    .state = outcome.state,
                                                    .message = outcome.message,
                                                    .failures = failures,
                                                    .retry_at = now + RetryDelay(failures, retry)});
  return outcome;
}

void RecordRemoval(KnownState& known, const ProfileKey& key, bool failed, SyncTimePoint now,
                   const RetryPolicy& retry) {
  if (failed) {
    known.removal_retries[key] = now + retry.base;
  } else {
    known.removal_retries.erase(key);
  }
}

std::optional<SyncTimePoint> NextWakeUp(const KnownState& known) {
  std::optional<SyncTimePoint> next;
  auto consider = [&next](SyncTimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [key, profile] : known.profiles) {
    // Without bytes there is nothing to retry (see ForgetFailedBytes).
    if (profile.state == NodeProfileState::kFailed && profile.rendered) consider(profile.retry_at);
  }
  for (const auto& [key, due] : known.removal_retries) consider(due);
  return next;
}

}  // namespace csp::agent
