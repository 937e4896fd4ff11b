#include "csp/kube/stoppable_sleep.h"

#include <condition_variable>
#include <mutex>

namespace csp::kube {

bool SleepFor(Clock& clock, Clock::Duration d, std::stop_token stop) {
  if (stop.stop_requested()) return false;
  if (d <= Clock::Duration::zero()) return true;
  if (&clock != &SteadyClock()) {
    clock.SleepFor(d);
    return !stop.stop_requested();
  }
  // Nothing ever notifies this variable: only the deadline or the stop request end the wait.
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace csp::kube
