// WorkQueueRateLimiter: client-go's default controller rate limiter, checked arithmetically.
#include "csp/kube/work_queue_rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "fakes.h"

namespace csp::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeClock;

struct BackoffCase {
  const char* name;
  int failures_before;  // When() calls already made for the key
  Clock::Duration want;
};

const BackoffCase kBackoffCases[] = {
    {"first_retry_is_base", 0, milliseconds(5)},
    {"second_doubles", 1, milliseconds(10)},
    {"third_doubles_again", 2, milliseconds(20)},
    {"tenth", 9, milliseconds(5 * 512)},
    {"seventeenth_is_still_below_the_cap", 17, milliseconds(5 * 131072)},  // 655.36 s
    {"eighteenth_hits_the_cap", 18, seconds(1000)},                        // 1310.72 s capped
    {"far_beyond_stays_at_the_cap", 200, seconds(1000)},                   // no overflow
};

class PerKeyBackoffTest : public ::testing::TestWithParam<BackoffCase> {};

TEST_P(PerKeyBackoffTest, DoublesFromBaseToMax) {
  FakeClock clock;
  // No overall bucket, so that only the per-key backoff shows.
  WorkQueueRateLimiter limiter({.qps = 0}, clock);
  for (int i = 0; i < GetParam().failures_before; ++i) (void)limiter.When("k");
  EXPECT_EQ(limiter.When("k"), GetParam().want);
  EXPECT_EQ(limiter.NumRequeues("k"), GetParam().failures_before + 1);
}

INSTANTIATE_TEST_SUITE_P(Cases, PerKeyBackoffTest, ::testing::ValuesIn(kBackoffCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(WorkQueueRateLimiterTest, KeysBackOffIndependentlyAndForgetResets) {
  FakeClock clock;
  WorkQueueRateLimiter limiter({.qps = 0}, clock);
  EXPECT_EQ(limiter.When("a"), milliseconds(5));
  EXPECT_EQ(limiter.When("a"), milliseconds(10));
  EXPECT_EQ(limiter.When("b"), milliseconds(5)) << "b has its own count";
  EXPECT_EQ(limiter.NumRequeues("a"), 2);
  limiter.Forget("a");
  EXPECT_EQ(limiter.NumRequeues("a"), 0);
  EXPECT_EQ(limiter.When("a"), milliseconds(5));
  EXPECT_EQ(limiter.NumRequeues("b"), 1);
  EXPECT_EQ(limiter.NumRequeues("never-seen"), 0);
}

TEST(WorkQueueRateLimiterTest, OverallBucketLimitsManyKeys) {
  FakeClock clock;
  WorkQueueRateLimiter limiter({}, clock);  // the defaults: 10 qps, burst 100
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(limiter.When("key-" + std::to_string(i)), milliseconds(5)) << i;
  }
  // The bucket is empty: each further retry waits 1/qps more than the previous one.
  EXPECT_EQ(limiter.When("key-100"), milliseconds(100));
  EXPECT_EQ(limiter.When("key-101"), milliseconds(200));
  // Time refills it: after 1 s, the 10 tokens pay back the 2 borrowed ones and 8 remain.
  clock.Advance(seconds(1));
  EXPECT_EQ(limiter.When("key-102"), milliseconds(5));
}

}  // namespace
}  // namespace csp::kube
