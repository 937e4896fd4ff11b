#include "csp/imageverify/result_cache.h"

namespace csp::imageverify {

std::optional<VerifyResult> ResultCache::Get(const std::string& image, const std::string& key_set) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{image, key_set});
  if (it == entries_.end()) return std::nullopt;
  if (clock_.Now() >= it->second.expires) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.result;
}

void ResultCache::Put(const std::string& image, const std::string& key_set, VerifyResult result,
                      kube::Clock::Duration ttl) {
  if (ttl <= kube::Clock::Duration::zero() || capacity_ == 0) return;
  std::lock_guard lock(mu_);
  Key key{image, key_set};
  const kube::Clock::TimePoint expires = clock_.Now() + ttl;
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second.result = std::move(result);
    it->second.expires = expires;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  while (entries_.size() >= capacity_) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  entries_.emplace(std::move(key), Entry{std::move(result), expires, lru_.begin()});
}

std::size_t ResultCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace csp::imageverify
