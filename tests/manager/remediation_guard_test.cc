// Revert counting within the window and the hourly patch budget, on a fake clock.
#include "csp/manager/remediation_guard.h"

#include <gtest/gtest.h>

namespace csp::manager {
namespace {

using namespace std::chrono_literals;
using TimePoint = RemediationGuard::TimePoint;

const TimePoint kStart = TimePoint{} + std::chrono::hours(24 * 365 * 56);

TEST(RemediationGuardTest, SecondRevertWithinTheWindowStops) {
  RemediationGuard guard({.revert_window = 600s, .patches_per_hour = 0});
  EXPECT_FALSE(guard.ShouldStop("u", kStart)) << "the first revert is re-applied";
  guard.RecordReapplied("u", kStart);
  EXPECT_FALSE(guard.ShouldStop("other", kStart + 1s)) << "counted per workload";
  EXPECT_TRUE(guard.ShouldStop("u", kStart + 2s));
  EXPECT_EQ(guard.stops(), 1u);
  EXPECT_FALSE(guard.ShouldStop("u", kStart + 3s)) << "a stop starts the count afresh";
}

TEST(RemediationGuardTest, RevertsOutsideTheWindowDoNotStop) {
  RemediationGuard guard({.revert_window = 600s, .patches_per_hour = 0});
  guard.RecordReapplied("u", kStart);
  EXPECT_FALSE(guard.ShouldStop("u", kStart + 601s));
  EXPECT_EQ(guard.stops(), 0u);
}

TEST(RemediationGuardTest, ZeroWindowNeverStops) {
  RemediationGuard guard({.revert_window = 0s, .patches_per_hour = 0});
  for (int i = 0; i < 5; ++i) {
    guard.RecordReapplied("u", kStart + i * 1s);
    EXPECT_FALSE(guard.ShouldStop("u", kStart + i * 1s)) << i;
  }
  EXPECT_EQ(guard.stops(), 0u);
}

TEST(RemediationGuardTest, PatchBudgetPerWorkloadPerHour) {
  RemediationGuard guard({.revert_window = 600s, .patches_per_hour = 3});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(guard.TakePatch("u", kStart + i * 1s)) << i;
  EXPECT_FALSE(guard.TakePatch("u", kStart + 10s));
  EXPECT_TRUE(guard.TakePatch("v", kStart + 10s)) << "each workload has its own budget";
  EXPECT_EQ(guard.throttled(), 1u);
  EXPECT_TRUE(guard.TakePatch("u", kStart + 1h)) << "the oldest left the hour";
  EXPECT_FALSE(guard.TakePatch("u", kStart + 1h)) << "the other two are still in it";
}

TEST(RemediationGuardTest, ZeroBudgetIsUnlimited) {
  RemediationGuard guard({.revert_window = 600s, .patches_per_hour = 0});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(guard.TakePatch("u", kStart));
  EXPECT_EQ(guard.throttled(), 0u);
}

}  // namespace
}  // namespace csp::manager
