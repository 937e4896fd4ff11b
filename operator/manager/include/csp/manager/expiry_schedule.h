// When the work queue's "expiry" key runs: a second after the next exemption expiry (so that
// the instant is surely past when the pass runs).
//
// Expiry instants are user-given: RFC 3339 allows any year from 0000 to 9999, far beyond what
// std::chrono::system_clock's nanosecond time_point holds (about 1677-2262). Every computation
// here saturates (csp/common/saturating_time.h), and a wait longer than kMaxExpiryWait is cut
// into several: the key then runs early, finds nothing expired, and is armed again.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "csp/kube/clock.h"
#include "csp/manager/policy_set.h"

namespace csp::manager {

inline constexpr std::chrono::hours kMaxExpiryWait{1};

// Thread-safe: policy changes arm it from the informers' threads, the "expiry" key from a
// worker.
class ExpirySchedule {
 public:
  // The delay after which the "expiry" key should run for `policies` at `now`, within
  // [1 s, kMaxExpiryWait]; nullopt when no exemption expires after `now`. Remembers the
  // instant it aims at (replacing the one before: the queue keeps the earlier of two delays).
  std::optional<kube::Clock::Duration> Arm(const PolicySet& policies,
                                           std::chrono::system_clock::time_point now);

  // True when the instant last armed has passed at `now`, i.e. an exemption expired and every
  // namespace and policy is to be evaluated again; false when the wait was only cut short.
  bool Expired(std::chrono::system_clock::time_point now);

 private:
  std::mutex mu_;
  std::optional<std::chrono::sys_seconds> target_;
};

}  // namespace csp::manager
