#include "csp/registry/token_cache.h"

#include <gtest/gtest.h>

#include "fakes.h"  // tests/kube: FakeClock

namespace csp::registry {
namespace {

using std::chrono::seconds;

TEST(TokenCacheTest, KeepsATokenUntilShortlyBeforeItExpires) {
  kube::testing::FakeClock clock;
  TokenCache cache(clock);
  cache.Put("k", "t", seconds(300));  // margin: 10 s
  EXPECT_EQ(cache.Find("k"), "t");
  clock.Advance(seconds(289));
  EXPECT_EQ(cache.Find("k"), "t");
  clock.Advance(seconds(1));
  EXPECT_FALSE(cache.Find("k"));
}

TEST(TokenCacheTest, ShortLifetimesCountAsSixtySeconds) {
  kube::testing::FakeClock clock;
  TokenCache cache(clock);
  cache.Put("k", "t", seconds(0));  // 60 s less a 6 s margin
  clock.Advance(seconds(53));
  EXPECT_EQ(cache.Find("k"), "t");
  clock.Advance(seconds(1));
  EXPECT_FALSE(cache.Find("k"));
}

TEST(TokenCacheTest, EvictsTheSoonestExpiringWhenFull) {
  kube::testing::FakeClock clock;
  TokenCache cache(clock, 2);
  cache.Put("a", "1", seconds(100));
  cache.Put("b", "2", seconds(500));
  cache.Put("c", "3", seconds(300));
  EXPECT_FALSE(cache.Find("a"));
  EXPECT_EQ(cache.Find("b"), "2");
  EXPECT_EQ(cache.Find("c"), "3");
}

}  // namespace
}  // namespace csp::registry
