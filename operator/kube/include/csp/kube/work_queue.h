// WorkQueue: the queue between informers' event handlers and a controller's workers, modelled
// on client-go's rate-limited workqueue.
//
//   - Add deduplicates: a key waiting in the queue is queued once however often it is added.
//   - One key is never handed to two workers at once: a key added while a worker processes it
//     is marked dirty and queued again when that worker calls Done.
//   - AddAfter and AddRateLimited delay a key, measured on an injectable Clock.
//   - ShutDown stops intake, drops delayed keys and wakes idle workers; Get still hands out
//     the keys already queued, then returns nullopt.
//
// A worker's loop:
//   while (auto key = queue.Get()) {
//     Status s = Reconcile(*key);
//     if (s) queue.Forget(*key); else queue.AddRateLimited(*key);
//     queue.Done(*key);
//   }
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "csp/kube/clock.h"
#include "csp/kube/work_queue_rate_limiter.h"

namespace csp::kube {

struct WorkQueueOptions {
  WorkQueueRateLimits rate_limits = {};
  Clock* clock = nullptr;  // nullptr: SteadyClock()
};

// Thread-safe.
class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` unless it is already queued; if a worker holds it, queues it again on Done.
  // Ignored after ShutDown.
  void Add(const std::string& key);

  // Adds `key` once `delay` has passed on the clock (at once if delay <= 0). A key already
  // waiting keeps the earlier of its two ready times.
  void AddAfter(const std::string& key, Clock::Duration delay);

  // AddAfter with the rate limiter's delay for `key`: 5 ms, 10 ms, 20 ms ... up to 1000 s per
  // key, and no more than 10 retries per second (burst 100) overall, by default.
  void AddRateLimited(const std::string& key);

  // Resets `key`'s backoff; call it when `key` was processed successfully.
  void Forget(const std::string& key);

  // How many times `key` was rate-limited since it was last forgotten.
  int NumRequeues(const std::string& key) const;

  // Blocks until a key is ready and hands it out, marking it as being processed. Returns
  // nullopt once the queue is shut down and no queued key is left. A blocked Get wakes when a
  // key is added or when the earliest delayed key is due; delays are measured on the clock,
  // so with a fake clock advance it before calling Get.
  std::optional<std::string> Get();

  // A key handed out, and how long it waited since it was added (client-go's
  // workqueue_queue_duration_seconds): from the Add (or the end of its delay) that made it
  // dirty, through any processing of the same key it had to wait behind, to this Take.
  struct Taken {
    std::string key;
    Clock::Duration waited = {};
  };
  // Get, with the wait.
  std::optional<Taken> Take();

  // Ends the processing of a key that Get returned; queues it again if it was added meanwhile.
  void Done(const std::string& key);

  // Keys ready to be handed out (the queue depth for metrics); excludes delayed keys.
  std::size_t Len();

  // Keys waiting for their delay to pass.
  std::size_t NumDelayed() const;

  // Stops intake, drops the delayed keys and wakes every worker blocked in Get.
  void ShutDown();

  // ShutDown, then waits until every key handed out has been marked Done.
  void ShutDownWithDrain();

  bool ShuttingDown() const;

 private:
  // Moves delayed keys whose time has come into the queue. Needs mu_.
  void PromoteDueLocked(Clock::TimePoint now);
  // The queueing half of Add; `since` starts the key's wait (Taken::waited). Needs mu_.
  void AddLocked(const std::string& key, Clock::TimePoint since);

  Clock& clock_;
  WorkQueueRateLimiter limiter_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // workers blocked in Get
  std::condition_variable drained_;  // ShutDownWithDrain, for processing_ to empty
  std::deque<std::string> queue_;    // ready, in order; each key at most once
  // Needs processing (queued, or re-added while processing) -> when it became so.
  std::map<std::string, Clock::TimePoint> dirty_;
  std::set<std::string> processing_;                        // handed out by Get, not yet Done
  std::map<std::string, Clock::TimePoint> delayed_;         // key -> ready time
  std::set<std::pair<Clock::TimePoint, std::string>> due_;  // the same, ordered by time
  bool shutting_down_ = false;
};

}  // namespace csp::kube
