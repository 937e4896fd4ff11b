#include "csp/kube/work_queue_rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace csp::kube {

WorkQueueRateLimiter::WorkQueueRateLimiter(const WorkQueueRateLimits& limits, Clock& clock)
    : limits_(limits), bucket_(limits.qps, limits.burst, clock) {}

Clock::Duration WorkQueueRateLimiter::When(const std::string& key) {
  int exponent = 0;
  {
    std::lock_guard lock(mu_);
    exponent = failures_[key]++;
  }
  // In double so that 2^exponent cannot overflow; anything beyond max_delay is max_delay.
  const double base = std::chrono::duration<double>(limits_.base_delay).count();
  const double max = std::chrono::duration<double>(limits_.max_delay).count();
  const double backoff = std::min(max, base * std::pow(2.0, exponent));
  const auto per_key = std::chrono::round<Clock::Duration>(std::chrono::duration<double>(backoff));
  return std::max(per_key, bucket_.Reserve());
}

void WorkQueueRateLimiter::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int WorkQueueRateLimiter::NumRequeues(const std::string& key) const {
  std::lock_guard lock(mu_);
  const auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

}  // namespace csp::kube
