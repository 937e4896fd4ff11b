#include "csp/agent/profile_sync.h"

namespace csp::agent {

std::vector<ProfileOutcome> ProfileSync::Sync(const std::vector<DesiredProfile>& desired, bool full,
                                              TimePoint now) {
  removals_.clear();
  PassPlan plan = PlanPass(desired, std::move(known_), full, now);
  known_ = std::move(plan.known);
  for (const RemovalAction& removal : plan.removals) Remove(removal, now);

  std::vector<ProfileOutcome> outcomes;
  outcomes.reserve(desired.size());
  for (std::size_t i = 0; i < desired.size(); ++i) {
    const ProfileAction& action = plan.profiles[i];
    outcomes.push_back(action.step == ProfileStep::kInstall ? Install(desired[i], now)
                                                            : action.outcome);
  }
  return outcomes;
}

void ProfileSync::Remove(const RemovalAction& removal, TimePoint now) {
  if (!removal.sweep) {
    Removed({removal.kind, removal.name}, installer_.Remove(removal.kind, removal.name), now);
    return;
  }
  Result<std::vector<RemoveResult>> removed =
      installer_.RemoveAllExcept(removal.kind, removal.keep);
  if (!removed) {
    ++stats_.remove_errors;
    return;
  }
  for (const RemoveResult& result : *removed) Removed({removal.kind, result.name}, result, now);
}

void ProfileSync::Removed(const ProfileKey& key, const RemoveResult& result, TimePoint now) {
  const bool failed = !result.error.empty();
  RecordRemoval(known_, key, failed, now, options_);
  if (failed) {
    ++stats_.remove_errors;
    removals_.push_back({.kind = key.first, .name = key.second, .error = result.error});
  } else if (result.removed) {
    ++stats_.removed;
    removals_.push_back({.kind = key.first, .name = key.second});
  }
}

ProfileOutcome ProfileSync::Install(const DesiredProfile& profile, TimePoint now) {
  const InstallResult result = installer_.Install(*profile.rendered);
  switch (result.state) {
    case InstallState::kInstalled:
      ++stats_.written;
      break;
    case InstallState::kUnchanged:
      ++stats_.unchanged;
      break;
    case InstallState::kFailed:
      ++stats_.failed;
      break;
    case InstallState::kUnsupported:
      break;
  }
  return RecordInstall(known_, profile, result, now, options_);
}

}  // namespace csp::agent
