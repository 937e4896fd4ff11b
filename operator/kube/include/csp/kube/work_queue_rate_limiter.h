// How long a failed key waits before it is processed again: client-go's default controller
// rate limiter, the larger of a per-key exponential backoff and an overall token bucket.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "csp/kube/clock.h"
#include "csp/kube/rate_limiter.h"

namespace csp::kube {

struct WorkQueueRateLimits {
  // Per key: base_delay * 2^(failures so far), capped at max_delay.
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{1000 * 1000};
  // Overall: `burst` retries at once, then `qps` per second. qps <= 0 disables the bucket.
  double qps = 10;
  int burst = 100;
};

// Thread-safe.
class WorkQueueRateLimiter {
 public:
  WorkQueueRateLimiter(const WorkQueueRateLimits& limits, Clock& clock);

  // The delay before `key`'s next attempt; counts one more failure for `key` and takes a token.
  Clock::Duration When(const std::string& key);
  // Forgets `key`'s failures (after it succeeded): its next backoff starts at base_delay again.
  void Forget(const std::string& key);
  // Failures counted for `key` since it was last forgotten.
  int NumRequeues(const std::string& key) const;

 private:
  const WorkQueueRateLimits limits_;
  TokenBucket bucket_;
  mutable std::mutex mu_;
  std::map<std::string, int> failures_;
};

}  // namespace csp::kube
