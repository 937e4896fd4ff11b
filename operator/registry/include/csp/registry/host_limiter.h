// At most N requests in flight per registry host, shared by every thread using one Client.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "csp/common/result.h"

namespace csp::registry {

class HostLimiter {
 public:
  explicit HostLimiter(int per_host);

  // Holds one of the host's slots until destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept : limiter_(other.limiter_), host_(std::move(other.host_)) {
      other.limiter_ = nullptr;
    }
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    friend class HostLimiter;
    Slot(HostLimiter* limiter, std::string host) : limiter_(limiter), host_(std::move(host)) {}
    HostLimiter* limiter_;
    std::string host_;
  };

  // Waits for a free slot of `host` until `deadline` (steady clock: a real wait), then
  // kUnavailable naming the host.
  Result<Slot> Acquire(const std::string& host, std::chrono::steady_clock::time_point deadline);

  int InUse(const std::string& host);  // for tests

 private:
  void Release(const std::string& host);
  const int per_host_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::map<std::string, int> in_use_;  // hosts with no request in flight are removed
};

}  // namespace csp::registry
