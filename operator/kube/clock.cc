#include "csp/kube/clock.h"

#include <thread>

namespace csp::kube {
namespace {

class Steady final : public Clock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration d) override {
    if (d > Duration::zero()) std::this_thread::sleep_for(d);
  }
};

}  // namespace

Clock& SteadyClock() {
  static Steady clock;
  return clock;
}

}  // namespace csp::kube
