#include "csp/kube/rate_limiter.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace csp::kube {
namespace {

using std::chrono::milliseconds;
using testing::FakeClock;

TEST(TokenBucketTest, BurstGoesAtOnceThenOnePerInterval) {
  FakeClock clock;
  TokenBucket bucket(/*qps=*/10, /*burst=*/3, clock);
  EXPECT_EQ(bucket.Reserve(), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(), milliseconds(0));
  // Empty: each further caller waits one more 100 ms slot, in order.
  EXPECT_EQ(bucket.Reserve(), milliseconds(100));
  EXPECT_EQ(bucket.Reserve(), milliseconds(200));
}

TEST(TokenBucketTest, RefillsWithElapsedTimeUpToBurst) {
  FakeClock clock;
  TokenBucket bucket(10, 2, clock);
  bucket.Reserve();
  bucket.Reserve();
  clock.Advance(milliseconds(150));  // 1.5 tokens back
  EXPECT_EQ(bucket.Reserve(), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(), milliseconds(50));  // the half token left needs 50 ms more
  clock.Advance(std::chrono::seconds(60));        // long idle: refill stops at burst
  EXPECT_EQ(bucket.Reserve(), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(), milliseconds(100));
}

TEST(TokenBucketTest, WaitSleepsTheReservedTimeOnTheClock) {
  FakeClock clock;
  TokenBucket bucket(4, 1, clock);
  bucket.Wait();
  bucket.Wait();
  bucket.Wait();
  // The first token is free; after each sleep the clock has moved, so each wait is 250 ms.
  ASSERT_EQ(clock.sleeps.size(), 2u);
  EXPECT_EQ(clock.sleeps[0], milliseconds(250));
  EXPECT_EQ(clock.sleeps[1], milliseconds(250));
}

TEST(TokenBucketTest, ZeroQpsMeansUnlimited) {
  FakeClock clock;
  TokenBucket bucket(0, 1, clock);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(bucket.Reserve(), milliseconds(0));
}

TEST(TokenBucketTest, BurstBelowOneActsAsOne) {
  FakeClock clock;
  TokenBucket bucket(2, 0, clock);
  EXPECT_EQ(bucket.Reserve(), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(), milliseconds(500));
}

}  // namespace
}  // namespace csp::kube
