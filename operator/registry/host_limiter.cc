#include "csp/registry/host_limiter.h"

#include <algorithm>

namespace csp::registry {

HostLimiter::HostLimiter(int per_host) : per_host_(std::max(per_host, 1)) {}

HostLimiter::Slot::~Slot() {
  if (limiter_ != nullptr) limiter_->Release(host_);
}

Result<HostLimiter::Slot> HostLimiter::Acquire(const std::string& host,
                                               std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  if (!freed_.wait_until(lock, deadline, [&] { return in_use_[host] < per_host_; })) {
    if (in_use_[host] == 0) in_use_.erase(host);
    return Error{Code::kUnavailable, "registry " + host + ": timed out waiting for one of its " +
                                         std::to_string(per_host_) + " request slots"};
  }
  ++in_use_[host];
  return Slot(this, host);
}

int HostLimiter::InUse(const std::string& host) {
  std::lock_guard lock(mu_);
  auto it = in_use_.find(host);
  return it == in_use_.end() ? 0 : it->second;
}

void HostLimiter::Release(const std::string& host) {
  {
    std::lock_guard lock(mu_);
    if (--in_use_[host] <= 0) in_use_.erase(host);
  }
  freed_.notify_all();
}

}  // namespace csp::registry
