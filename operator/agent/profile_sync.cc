#include "csp/agent/profile_sync.h"

#include <algorithm>
#include <set>

namespace csp::agent {
namespace {

std::string InstalledMessage(profiles::ProfileKind kind) {
  return kind == profiles::ProfileKind::kSeccomp ? "installed" : "installed and loaded";
}

bool SameBytes(const std::shared_ptr<const profiles::RenderedProfile>& a,
               const std::shared_ptr<const profiles::RenderedProfile>& b) {
  return a == b || (a && b && a->bytes == b->bytes);
}

}  // namespace

std::chrono::milliseconds ProfileSync::RetryDelay(int failures) const {
  std::chrono::milliseconds delay = options_.retry_base;
  for (int i = 1; i < failures && delay < options_.retry_max; ++i) delay *= 2;
  return std::min(delay, options_.retry_max);
}

ProfileOutcome ProfileSync::Install(const DesiredProfile& profile, TimePoint now) {
  ProfileOutcome outcome{.kind = profile.kind, .name = profile.name};
  const Key key{profile.kind, profile.name};
  auto known = known_.find(key);
  if (known != known_.end() && SameBytes(known->second.rendered, profile.rendered) &&
      (known->second.state != NodeProfileState::kFailed || now < known->second.retry_at)) {
    outcome.state = known->second.state;
    outcome.message = known->second.message;
    return outcome;
  }

  const InstallResult result = installer_.Install(*profile.rendered);
  outcome.state = NodeStateOf(result.state);
  outcome.message = outcome.state == NodeProfileState::kInstalled ? InstalledMessage(profile.kind)
                                                                  : result.message;
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

  int failures = 0;
  if (outcome.state == NodeProfileState::kFailed) {
    const bool same = known != known_.end() && SameBytes(known->second.rendered, profile.rendered);
    failures = same ? known->second.failures + 1 : 1;
  }
  known_.insert_or_assign(key, Known{.rendered = profile.rendered,
                                     .state = outcome.state,
                                     .message = outcome.message,
                                     .failures = failures,
                                     .retry_at = now + RetryDelay(failures)});
  return outcome;
}

void ProfileSync::RemoveUnwanted(const std::map<Key, bool>& wanted, bool full, TimePoint now) {
  if (full) {
    // Whatever is on disk and not wanted goes: strays included, not only what we remember.
    for (profiles::ProfileKind kind :
         {profiles::ProfileKind::kSeccomp, profiles::ProfileKind::kAppArmor}) {
      std::set<std::string> names;
      for (const auto& [key, unused] : wanted) {
        if (key.first == kind) names.insert(key.second);
      }
      Result<std::vector<RemoveResult>> removed = installer_.RemoveAllExcept(kind, names);
      if (!removed) {
        ++stats_.remove_errors;
        continue;
      }
      for (const RemoveResult& r : *removed) {
        if (!r.error.empty()) {
          ++stats_.remove_errors;
          remove_retry_[{kind, r.name}] = now + options_.retry_base;
          removals_.push_back({.kind = kind, .name = r.name, .error = r.error});
        } else if (r.removed) {
          ++stats_.removed;
          removals_.push_back({.kind = kind, .name = r.name});
        }
      }
    }
    return;
  }
  std::vector<Key> unwanted;
  for (const auto& [key, known] : known_) {
    if (!wanted.contains(key)) unwanted.push_back(key);
  }
  for (const auto& [key, due] : remove_retry_) {
    if (!wanted.contains(key) && due <= now) unwanted.push_back(key);
  }
  for (const Key& key : unwanted) {
    known_.erase(key);
    const RemoveResult r = installer_.Remove(key.first, key.second);
    if (!r.error.empty()) {
      ++stats_.remove_errors;
      remove_retry_[key] = now + options_.retry_base;
      removals_.push_back({.kind = key.first, .name = key.second, .error = r.error});
    } else {
      remove_retry_.erase(key);
      if (r.removed) {
        ++stats_.removed;
        removals_.push_back({.kind = key.first, .name = key.second});
      }
    }
  }
}

std::vector<ProfileOutcome> ProfileSync::Sync(const std::vector<DesiredProfile>& desired, bool full,
                                              TimePoint now) {
  removals_.clear();
  if (full) {
    known_.clear();
    remove_retry_.clear();
  }
  std::map<Key, bool> wanted;
  for (const DesiredProfile& profile : desired) wanted[{profile.kind, profile.name}] = true;
  // Wanted again: a pending removal of the same name is moot.
  std::erase_if(remove_retry_, [&](const auto& entry) { return wanted.contains(entry.first); });
  RemoveUnwanted(wanted, full, now);

  std::vector<ProfileOutcome> outcomes;
  outcomes.reserve(desired.size());
  for (const DesiredProfile& profile : desired) {
    if (!profile.rendered) {
      outcomes.push_back({.kind = profile.kind,
                          .name = profile.name,
                          .state = NodeProfileState::kFailed,
                          .message = profile.error});
      continue;
    }
    outcomes.push_back(Install(profile, now));
  }
  return outcomes;
}

std::optional<ProfileSync::TimePoint> ProfileSync::NextRetry() const {
  std::optional<TimePoint> next;
  auto consider = [&next](TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [key, known] : known_) {
    if (known.state == NodeProfileState::kFailed) consider(known.retry_at);
  }
  for (const auto& [key, due] : remove_retry_) consider(due);
  return next;
}

}  // namespace csp::agent
