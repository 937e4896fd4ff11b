#include "csp/manager/memory_release.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace csp::manager {
namespace {

using namespace std::chrono_literals;

// Waits up to 10 s for `done` (no timing is asserted: only what happens, eventually).
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

struct Fixture {
  std::atomic<int> releases{0};
  std::atomic<bool> idle{true};
  MemoryRelease release{
      {.interval = 5ms, .idle = [this] { return idle.load(); }, .release = [this] { ++releases; }}};
  std::jthread thread{[this](std::stop_token stop) { release.Run(stop); }};
};

TEST(MemoryReleaseTest, NothingIsReleasedWithoutWork) {
  Fixture f;
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(f.releases.load(), 0);
}

TEST(MemoryReleaseTest, ReleasesOnceAfterABurstOfWork) {
  Fixture f;
  for (int i = 0; i < 100; ++i) f.release.Worked();
  ASSERT_TRUE(Eventually([&] { return f.releases.load() == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(f.releases.load(), 1) << "one release for the burst, none again without work";
  f.release.Worked();
  EXPECT_TRUE(Eventually([&] { return f.releases.load() == 2; }));
}

TEST(MemoryReleaseTest, WaitsWhileTheQueueIsBusy) {
  Fixture f;
  f.idle = false;
  f.release.Worked();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(f.releases.load(), 0) << "keys are ready: the burst is not over";
  f.idle = true;
  EXPECT_TRUE(Eventually([&] { return f.releases.load() == 1; }));
}

TEST(MemoryReleaseTest, StopsAtOnceWhenStopIsRequested) {
  MemoryRelease release({.interval = std::chrono::hours(1),
                         .idle = [] { return true; },
                         .release = [] { FAIL() << "released after stop"; }});
  std::jthread thread([&](std::stop_token stop) { release.Run(stop); });
  release.Worked();
  thread.request_stop();
  thread.join();  // would hang for an hour if the interval's wait ignored stop
}

}  // namespace
}  // namespace csp::manager
