#include "csp/kube/rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace csp::kube {

TokenBucket::TokenBucket(double qps, int burst, Clock& clock)
    : qps_(qps),
      burst_(static_cast<double>(std::max(burst, 1))),
      clock_(clock),
      tokens_(burst_),
      last_(clock.Now()) {}

Clock::Duration TokenBucket::Reserve() {
  if (qps_ <= 0) return Clock::Duration::zero();
  std::lock_guard lock(mu_);
  const Clock::TimePoint now = clock_.Now();
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return Clock::Duration::zero();
  // Rounded, not truncated: 0.45 s computed as 0.44999... must not become 449999999 ns.
  return std::chrono::round<Clock::Duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

void TokenBucket::Wait() {
  const Clock::Duration wait = Reserve();
  if (wait > Clock::Duration::zero()) clock_.SleepFor(wait);
}

}  // namespace csp::kube
