#include "csp/manager/memory_release.h"

#include <malloc.h>

namespace csp::manager {

MemoryRelease::MemoryRelease(Options options) : options_(std::move(options)) {}

void MemoryRelease::Worked() {
  {
    std::lock_guard lock(mu_);
    if (worked_) return;
    worked_ = true;
  }
  cv_.notify_one();
}

void MemoryRelease::Run(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    if (!cv_.wait(lock, stop, [this] { return worked_; })) return;
    // Let the burst go on; a busy queue only delays the release, by an interval at a time.
    cv_.wait_for(lock, stop, options_.interval, [] { return false; });
    if (stop.stop_requested()) return;
    if (options_.idle && !options_.idle()) continue;
    worked_ = false;
    lock.unlock();
    if (options_.release) options_.release();
    lock.lock();
  }
}

void TrimHeap() { malloc_trim(0); }

}  // namespace csp::manager
