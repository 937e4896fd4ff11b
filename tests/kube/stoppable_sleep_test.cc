// SleepFor with a stop token: fake clocks advance, a stop request ends the real wait.
#include "csp/kube/stoppable_sleep.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "fakes.h"

namespace csp::kube {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

TEST(StoppableSleepTest, FakeClockSleepsOnTheClock) {
  testing::FakeClock clock;
  const auto start = clock.Now();
  EXPECT_TRUE(SleepFor(clock, milliseconds(250), {}));
  EXPECT_EQ(clock.Now() - start, milliseconds(250));
}

TEST(StoppableSleepTest, AlreadyStoppedDoesNotSleep) {
  testing::FakeClock clock;
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(SleepFor(clock, milliseconds(250), stop.get_token()));
  EXPECT_TRUE(clock.sleeps.empty());
}

TEST(StoppableSleepTest, StopEndsARealSleep) {
  std::stop_source stop;
  bool completed = true;
  std::thread sleeper([&] { completed = SleepFor(SteadyClock(), hours(1), stop.get_token()); });
  stop.request_stop();
  sleeper.join();  // an hour-long sleep that ignores stop would time the test out
  EXPECT_FALSE(completed);
}

TEST(StoppableSleepTest, RealSleepCompletes) {
  EXPECT_TRUE(SleepFor(SteadyClock(), milliseconds(1), {}));
}

}  // namespace
}  // namespace csp::kube
