// Bearer tokens by (registry, scope, credential), until shortly before they expire.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "csp/kube/clock.h"

namespace csp::registry {

// Thread-safe. Times come from `clock`, so tests drive expiry with a fake one.
class TokenCache {
 public:
  explicit TokenCache(kube::Clock& clock, std::size_t max_entries = 1024);

  // The token stored under `key` unless it expires within the safety margin.
  std::optional<std::string> Find(const std::string& key);

  // Stores `token` for `expires_in`, less a margin (a tenth, at most 10 s) so that a token is not
  // sent just as it expires. The distribution token spec: an absent or smaller expires_in means
  // 60 s. When full, expired entries go first, then the one expiring soonest.
  void Put(const std::string& key, std::string token, std::chrono::seconds expires_in);

 private:
  struct Entry {
    std::string token;
    kube::Clock::TimePoint use_until;
  };
  kube::Clock& clock_;
  const std::size_t max_entries_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace csp::registry
