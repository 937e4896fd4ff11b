#include "csp/manager/worker_pool.h"

namespace csp::manager {

void WorkerPool::Start(kube::WorkQueue& queue, int count, std::function<bool()> prepare,
                       std::function<void(const kube::WorkQueue::Taken& taken)> process) {
  std::lock_guard lock(mu_);
  process_ = std::move(process);
  threads_.emplace_back([this, &queue, count, prepare = std::move(prepare)] {
    if (!prepare()) return;
    {
      std::lock_guard lock(mu_);
      // After Stop took the list, new threads would never be joined.
      if (!queue.ShuttingDown()) {
        for (int i = 1; i < count; ++i) threads_.emplace_back([this, &queue] { Work(queue); });
      }
    }
    Work(queue);
  });
}

void WorkerPool::Work(kube::WorkQueue& queue) {
  while (auto taken = queue.Take()) {
    process_(*taken);
    queue.Done(taken->key);
  }
}

void WorkerPool::Stop(kube::WorkQueue& queue) {
  queue.ShutDownWithDrain();
  std::vector<std::jthread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  threads.clear();  // joins
}

}  // namespace csp::manager
