// Emits core/v1 Events on workloads for the changes the operator makes (Labeled, Unlabeled,
// ScaledDown, Restored), so `kubectl describe` shows who changed the workload and why.
//
// Events are sent by a thread of their own, as client-go's broadcaster does: a reconcile only
// queues them, so a namespace's label patches never wait behind its Events' round trips, and
// the Events go out through a client (and rate limit) of their own. They are best effort: a
// full queue drops the newest (counted, logged) rather than hold a reconcile or grow without
// bound.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "csp/controllers/remediation_plan.h"
#include "csp/kube/client.h"
#include "csp/policy/workload.h"

namespace csp::manager {

class EventRecorder {
 public:
  // client-go keeps 1,000; a first pass over a large cluster labels thousands of violators at
  // once, and a queued Event is a few hundred bytes.
  static constexpr std::size_t kMaxQueued = 10'000;
  // client-go tries an Event 12 times; here the waits grow from 0.5 s to 10 s, about a minute.
  static constexpr int kMaxTries = 12;

  EventRecorder(kube::Client& client, std::string instance, std::size_t max_queued = kMaxQueued);
  // Drains with Drain's default deadline.
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Queues the Event, named for the time it is queued (nanoseconds since the epoch, made
  // unique); false when the queue is full (the Event is dropped and counted) or the
  // recorder has been drained.
  bool Record(const policy::WorkloadRef& workload, const controllers::Event& event,
              std::chrono::system_clock::time_point now);
  // Returns once every Event queued before the call has been sent or has failed.
  void Flush();
  // Sends what is queued for at most `deadline`, drops the rest, and stops: called before the
  // Lease is released, so that no write follows the release.
  void Drain(std::chrono::milliseconds deadline = std::chrono::seconds(5));

  std::uint64_t sent() const;
  std::uint64_t failed() const;
  std::uint64_t dropped() const;

 private:
  struct Queued {
    policy::WorkloadRef workload;
    controllers::Event event;
    std::chrono::system_clock::time_point time;
    std::uint64_t unique;  // for its name
  };
  void Run();
  // Creates the Event, trying again after failures that may pass (connection lost, 5xx, 429)
  // as client-go's recorder does, until Drain; true once it exists.
  bool Send(const Queued& next);

  kube::Client& client_;
  const std::string instance_;
  const std::size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Queued> queue_;
  bool sending_ = false;  // an Event taken off the queue is in flight
  bool stopping_ = false;
  std::uint64_t sent_ = 0, failed_ = 0, dropped_ = 0;
  std::uint64_t last_unique_ = 0;
  std::thread sender_;  // last: starts once everything above is set
};

// client-go's Event name, "<workload>.<unique in hex>", the workload's name cut so that the
// whole fits a DNS subdomain (253). A name of our own, not generateName: a create retried
// after a lost connection answers AlreadyExists instead of making a second Event.
std::string EventName(std::string_view workload, std::uint64_t unique);

// The Event object named `name` for `event` on `workload`.
nlohmann::json EventObject(const policy::WorkloadRef& workload, const controllers::Event& event,
                           std::string_view instance, std::chrono::system_clock::time_point now,
                           std::string_view name);

}  // namespace csp::manager
