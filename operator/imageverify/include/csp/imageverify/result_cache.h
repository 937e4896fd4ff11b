// A bounded, expiring cache of verification results, keyed by (image reference, key set
// fingerprint). Shared by every caller of one Verifier; thread-safe. Entries expire after their
// TTL (a moved tag or a deleted signature is seen again then) and the least recently used one
// goes when the cache is full.
#pragma once

#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "csp/imageverify/verify_result.h"
#include "csp/kube/clock.h"

namespace csp::imageverify {

class ResultCache {
 public:
  ResultCache(std::size_t capacity, kube::Clock& clock) : capacity_(capacity), clock_(clock) {}

  // The unexpired entry for the key, if any (it becomes the most recently used).
  std::optional<VerifyResult> Get(const std::string& image, const std::string& key_set);
  // Stores `result` for `ttl` (a zero ttl stores nothing).
  void Put(const std::string& image, const std::string& key_set, VerifyResult result,
           kube::Clock::Duration ttl);
  std::size_t size() const;

 private:
  using Key = std::pair<std::string, std::string>;
  struct Entry {
    VerifyResult result;
    kube::Clock::TimePoint expires;
    std::list<Key>::iterator lru;
  };
  const std::size_t capacity_;
  kube::Clock& clock_;
  mutable std::mutex mu_;
  std::map<Key, Entry> entries_;
  std::list<Key> lru_;  // front: most recently used
};

}  // namespace csp::imageverify
