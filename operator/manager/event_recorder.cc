#include "csp/manager/event_recorder.h"

#include <cinttypes>
#include <cstdio>
#include <random>

#include "csp/controllers/policy_status.h"
#include "csp/log/log.h"
#include "csp/manager/resources.h"

namespace csp::manager {

EventRecorder::EventRecorder(kube::Client& client, std::string instance, std::size_t max_queued)
    : client_(client),
      instance_(std::move(instance)),
      max_queued_(max_queued),
      sender_([this] { Run(); }) {}

EventRecorder::~EventRecorder() { Drain(); }

std::string EventName(std::string_view workload, std::uint64_t unique) {
  char suffix[20];
  const int n = std::snprintf(suffix, sizeof suffix, ".%" PRIx64, unique);
  constexpr std::size_t kMaxName = 253;
  std::string name(workload.substr(0, kMaxName - static_cast<std::size_t>(n)));
  // A cut name must still end in an alphanumeric before the dot.
  while (!name.empty() && (name.back() == '-' || name.back() == '.')) name.pop_back();
  return name + suffix;
}

nlohmann::json EventObject(const policy::WorkloadRef& workload, const controllers::Event& event,
                           std::string_view instance, std::chrono::system_clock::time_point now,
                           std::string_view name) {
  const std::string time = controllers::FormatTime(std::chrono::floor<std::chrono::seconds>(now));
  // A legacy-style Event (no eventTime): what `kubectl describe` and most tools still read.
  return {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name}, {"namespace", workload.ns}}},
      {"involvedObject",
       {{"apiVersion", workload.api_version},
        {"kind", workload.kind},
        {"namespace", workload.ns},
        {"name", workload.name},
        {"uid", workload.uid}}},
      {"type", event.type},
      {"reason", event.reason},
      {"message", event.message},
      {"source", {{"component", "csp-operator"}}},
      {"reportingComponent", "csp-operator"},
      {"reportingInstance", instance},
      {"action", event.reason},
      {"firstTimestamp", time},
      {"lastTimestamp", time},
      {"count", 1},
  };
}

bool EventRecorder::Record(const policy::WorkloadRef& workload, const controllers::Event& event,
                           std::chrono::system_clock::time_point now) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) {
      ++dropped_;
      return false;
    }
    const auto nanos = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
    last_unique_ = std::max(last_unique_ + 1, nanos);
    queue_.push_back({workload, event, now, last_unique_});
  }
  changed_.notify_all();
  return true;
}

void EventRecorder::Flush() {
  std::unique_lock lock(mu_);
  // Sent in order by one thread: idle means everything queued before the call is done.
  changed_.wait(lock, [&] { return stopping_ || (queue_.empty() && !sending_); });
}

void EventRecorder::Drain(std::chrono::milliseconds deadline) {
  {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, deadline, [&] { return stopping_ || (queue_.empty() && !sending_); });
    stopping_ = true;
    if (!queue_.empty()) {
      LogWarn("Events not sent before shutdown; dropped",
              {{"count", std::to_string(queue_.size())}});
    }
    dropped_ += queue_.size();
    queue_.clear();
  }
  changed_.notify_all();
  if (sender_.joinable()) sender_.join();
}

void EventRecorder::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping
    Queued next = std::move(queue_.front());
    queue_.pop_front();
    sending_ = true;
    lock.unlock();
    const bool sent = Send(next);
    lock.lock();
    sending_ = false;
    ++(sent ? sent_ : failed_);
    changed_.notify_all();
  }
}

bool EventRecorder::Send(const Queued& next) {
  const nlohmann::json object = EventObject(next.workload, next.event, instance_, next.time,
                                            EventName(next.workload.name, next.unique));
  std::mt19937_64 random(next.unique);
  for (int attempt = 0;; ++attempt) {
    auto created = client_.Create(kEvents, next.workload.ns, object);
    // AlreadyExists: an earlier try was created and its answer lost.
    if (created || created.error().code == Code::kAlreadyExists) return true;
    const Code code = created.error().code;
    const bool may_pass = code == Code::kUnavailable || code == Code::kAborted;
    if (!may_pass || attempt + 1 >= kMaxTries) {
      LogWarn("could not record an Event",
              {{"object", next.workload.kind + " " + next.workload.ns + "/" + next.workload.name},
               {"reason", next.event.reason},
               {"error", created.error().message}});
      return false;
    }
    const auto delay = kube::BackoffDelay(
        {.base_delay = std::chrono::milliseconds(500), .max_delay = std::chrono::seconds(10)},
        attempt, std::uniform_real_distribution<double>(0, 1)(random), std::nullopt);
    std::unique_lock lock(mu_);
    if (changed_.wait_for(lock, delay, [&] { return stopping_; })) return false;
  }
}

std::uint64_t EventRecorder::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

std::uint64_t EventRecorder::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

std::uint64_t EventRecorder::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace csp::manager
