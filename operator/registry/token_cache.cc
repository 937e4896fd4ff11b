#include "csp/registry/token_cache.h"

#include <algorithm>

namespace csp::registry {

TokenCache::TokenCache(kube::Clock& clock, std::size_t max_entries)
    : clock_(clock), max_entries_(std::max<std::size_t>(max_entries, 1)) {}

std::optional<std::string> TokenCache::Find(const std::string& key) {
  const kube::Clock::TimePoint now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.use_until <= now) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.token;
}

void TokenCache::Put(const std::string& key, std::string token, std::chrono::seconds expires_in) {
  using std::chrono::seconds;
  expires_in = std::max(expires_in, seconds(60));
  const seconds margin = std::min(expires_in / 10, seconds(10));
  const kube::Clock::TimePoint now = clock_.Now();
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_ && !entries_.contains(key)) {
    std::erase_if(entries_, [&](const auto& entry) { return entry.second.use_until <= now; });
    if (entries_.size() >= max_entries_) {
      entries_.erase(std::min_element(entries_.begin(), entries_.end(), [](auto& a, auto& b) {
        return a.second.use_until < b.second.use_until;
      }));
    }
  }
  entries_[key] = Entry{std::move(token), now + expires_in - margin};
}

}  // namespace csp::registry
