// LatestPlanWriter: a mailbox holding the newest plan only, and the loop of the thread that
// writes it. The agent has two (NodeAgent): its node's report and the SecurityProfile
// statuses, so that the report, which the operator's node facts read and which no other agent
// writes, is never held up behind a status round that is losing races with 200 other agents.
//
//   - Post replaces a plan not taken yet: only the newest state is ever written. A `verify`
//     plan (compare everything afresh) stays `verify` when a later one replaces it.
//   - A failed write is tried again after `retry` when it only lost races (kAborted), else
//     after a delay doubling from `retry` up to 5 minutes; a newer plan posted meanwhile is
//     taken instead, at once.
//
// Plan needs `std::uint64_t sequence` (set by Post: 1, 2, ...) and `bool verify`.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>

#include "csp/common/result.h"

namespace csp::agent {

template <typename Plan>
class LatestPlanWriter {
 public:
  using Write = std::function<Status(const Plan& plan, std::stop_token stop)>;

  LatestPlanWriter(Write write, std::chrono::milliseconds retry)
      : write_(std::move(write)), retry_(retry) {}

  // Hands `plan` to the writer thread, in place of any plan it has not taken yet.
  void Post(Plan plan) {
    {
      std::lock_guard lock(mu_);
      plan.sequence = ++sequence_;
      // A full pass's verify must survive being replaced by a later incremental plan.
      if (next_ && next_->verify) plan.verify = true;
      next_ = std::move(plan);
    }
    cv_.notify_one();
  }

  // True when a plan newer than `sequence` waits: the write of the older one may stop early.
  bool NewerWaiting(std::uint64_t sequence) const {
    std::lock_guard lock(mu_);
    return next_ && next_->sequence > sequence;
  }

  // True when the last write succeeded (false before the first).
  bool InSync() const { return in_sync_.load(); }

  // The writer thread: runs until `stop` is requested.
  void Run(std::stop_token stop) {
    std::optional<Plan> current;  // a plan whose write failed, to be tried again
    std::chrono::milliseconds delay = retry_;
    std::chrono::steady_clock::time_point retry_at;
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(mu_);
        // Without a retry due, wake up now and then anyway: a finite deadline keeps clear of
        // overflow in the clock conversions.
        const auto deadline =
            current ? retry_at : std::chrono::steady_clock::now() + std::chrono::hours(1);
        cv_.wait_until(lock, stop, deadline, [this] { return next_.has_value(); });
        if (stop.stop_requested()) return;
        if (next_) {
          current = std::move(*next_);
          next_.reset();
        } else if (!current || std::chrono::steady_clock::now() < retry_at) {
          continue;
        }
      }
      const Status written = write_(*current, stop);
      if (written) {
        current.reset();
        delay = retry_;
        in_sync_ = true;
        continue;
      }
      in_sync_ = false;
      current->verify = false;
      // Lost races only: the others are done soon; API errors: back off further each time.
      if (written.error().code == Code::kAborted) delay = retry_;
      retry_at = std::chrono::steady_clock::now() + delay;
      delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::minutes(5));
    }
  }

 private:
  Write write_;
  std::chrono::milliseconds retry_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::optional<Plan> next_;
  std::uint64_t sequence_ = 0;
  std::atomic<bool> in_sync_{false};
};

}  // namespace csp::agent
