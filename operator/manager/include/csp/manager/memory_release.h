// Gives the memory a burst of work freed back to the kernel. glibc keeps freed memory in its
// arenas for reuse, so what a start-up's passes built and dropped (the report JSON, LIST pages,
// patches: tens of MB at 50,000 Pods) would otherwise stay in the operator's RSS for good;
// docs/benchmarks.md, "Compact caches".
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>

namespace csp::manager {

class MemoryRelease {
 public:
  struct Options {
    // Between two releases, and from a key done to the release it allows.
    std::chrono::steady_clock::duration interval = std::chrono::seconds(10);
    std::function<bool()> idle;     // no key ready (the work queue's Len() == 0)
    std::function<void()> release;  // TrimHeap in the operator
  };
  explicit MemoryRelease(Options options);

  // A worker finished a key: memory may have been freed. Any thread.
  void Worked();

  // Until `stop`: after work, waits `interval`, then releases if the queue is idle (else waits
  // another interval), and waits for work again.
  void Run(std::stop_token stop);

 private:
  Options options_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool worked_ = false;
};

// glibc's malloc_trim(0): every arena's free pages back to the kernel.
void TrimHeap();

}  // namespace csp::manager
