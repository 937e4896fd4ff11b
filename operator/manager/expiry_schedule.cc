#include "csp/manager/expiry_schedule.h"

#include "csp/common/saturating_time.h"

namespace csp::manager {

std::optional<kube::Clock::Duration> ExpirySchedule::Arm(
    const PolicySet& policies, std::chrono::system_clock::time_point now) {
  const auto next = policies.NextExpiry(std::chrono::floor<std::chrono::seconds>(now));
  std::lock_guard lock(mu_);
  target_ = next;
  if (!next) return std::nullopt;
  // `next` is after floor(now), so the delay is at least a second: the key never spins.
  return ClampedDelay(*next + std::chrono::seconds(1), now, kMaxExpiryWait);
}

bool ExpirySchedule::Expired(std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mu_);
  return target_ && std::chrono::floor<std::chrono::seconds>(now) >= *target_;
}

}  // namespace csp::manager
