// Clock: time and sleeping behind an interface, so that rate limits and backoff are tested
// with a fake clock instead of real time.
#pragma once

#include <chrono>

namespace csp::kube {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual TimePoint Now() = 0;
  virtual void SleepFor(Duration d) = 0;
};

// The process's steady clock and std::this_thread::sleep_for. Thread-safe.
Clock& SteadyClock();

}  // namespace csp::kube
