#include "csp/kube/work_queue.h"

namespace csp::kube {

WorkQueue::WorkQueue(WorkQueueOptions options)
    : clock_(options.clock != nullptr ? *options.clock : SteadyClock()),
      limiter_(options.rate_limits, clock_) {}

void WorkQueue::AddLocked(const std::string& key, Clock::TimePoint since) {
  if (shutting_down_ || dirty_.contains(key)) return;
  dirty_.emplace(key, since);
  if (processing_.contains(key)) return;  // Done queues it again
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  AddLocked(key, clock_.Now());
}

void WorkQueue::AddAfter(const std::string& key, Clock::Duration delay) {
  if (delay <= Clock::Duration::zero()) {
    Add(key);
    return;
  }
  const Clock::TimePoint ready = clock_.Now() + delay;
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  const auto it = delayed_.find(key);
  if (it != delayed_.end()) {
    if (it->second <= ready) return;
    due_.erase({it->second, key});
    it->second = ready;
  } else {
    delayed_.emplace(key, ready);
  }
  due_.emplace(ready, key);
  // A blocked Get may be waiting for a later key: let it recompute its deadline.
  cv_.notify_all();
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, limiter_.When(key)); }

void WorkQueue::Forget(const std::string& key) { limiter_.Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) const { return limiter_.NumRequeues(key); }

void WorkQueue::PromoteDueLocked(Clock::TimePoint now) {
  while (!due_.empty() && due_.begin()->first <= now) {
    const auto [ready, key] = *due_.begin();
    due_.erase(due_.begin());
    delayed_.erase(key);
    AddLocked(key, ready);  // its wait starts when its delay ended
  }
}

std::optional<std::string> WorkQueue::Get() {
  std::optional<Taken> taken = Take();
  if (!taken) return std::nullopt;
  return std::move(taken->key);
}

std::optional<WorkQueue::Taken> WorkQueue::Take() {
  std::unique_lock lock(mu_);
  while (true) {
    PromoteDueLocked(clock_.Now());
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;
    if (due_.empty()) {
      cv_.wait(lock);
    } else {
      // Real time stands in for the clock's time here; with SteadyClock() they are the same.
      cv_.wait_for(lock, due_.begin()->first - clock_.Now());
    }
  }
  Taken taken{.key = std::move(queue_.front())};
  queue_.pop_front();
  processing_.insert(taken.key);
  const auto dirty = dirty_.find(taken.key);
  taken.waited = clock_.Now() - dirty->second;
  dirty_.erase(dirty);
  return taken;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.contains(key)) {
    queue_.push_back(key);
    cv_.notify_one();
  }
  if (processing_.empty()) drained_.notify_all();
}

std::size_t WorkQueue::Len() {
  std::lock_guard lock(mu_);
  PromoteDueLocked(clock_.Now());
  return queue_.size();
}

std::size_t WorkQueue::NumDelayed() const {
  std::lock_guard lock(mu_);
  return delayed_.size();
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  delayed_.clear();
  due_.clear();
  cv_.notify_all();
}

void WorkQueue::ShutDownWithDrain() {
  std::unique_lock lock(mu_);
  shutting_down_ = true;
  delayed_.clear();
  due_.clear();
  cv_.notify_all();
  drained_.wait(lock, [this] { return processing_.empty(); });
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

}  // namespace csp::kube
