// The workers: threads that take keys from the work queue until it shuts down.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "csp/kube/work_queue.h"

namespace csp::manager {

class WorkerPool {
 public:
  // Runs `prepare` on a first worker, then, if it returned true, starts `count - 1` more, and
  // every worker calls `process` on each key it gets (then Done). `prepare` is where the caches
  // are awaited and everything is queued: a reconcile on a half-filled cache would delete the
  // results of workloads not listed yet.
  void Start(kube::WorkQueue& queue, int count, std::function<bool()> prepare,
             std::function<void(const kube::WorkQueue::Taken& taken)> process);
  // Shuts the queue down, lets the workers finish the keys they hold, and joins them.
  void Stop(kube::WorkQueue& queue);

 private:
  void Work(kube::WorkQueue& queue);

  std::function<void(const kube::WorkQueue::Taken&)> process_;
  std::mutex mu_;
  std::vector<std::jthread> threads_;
};

}  // namespace csp::manager
