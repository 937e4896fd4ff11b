// ResultCache: entries expire after their TTL, the least recently used goes when full, and
// entries are per (image, key set).
#include "csp/imageverify/result_cache.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace csp::imageverify {
namespace {

using std::chrono::seconds;

VerifyResult Verified(const std::string& digest) {
  return {.verdict = policy::SignatureVerdict::kVerified, .digest = digest};
}

TEST(ResultCacheTest, ExpiresAfterTtl) {
  kube::testing::FakeClock clock;
  ResultCache cache(8, clock);
  cache.Put("app:v1", "keys", Verified("sha256:a"), seconds(60));
  clock.Advance(seconds(59));
  ASSERT_TRUE(cache.Get("app:v1", "keys"));
  EXPECT_EQ(cache.Get("app:v1", "keys")->digest, "sha256:a");
  clock.Advance(seconds(1));
  EXPECT_FALSE(cache.Get("app:v1", "keys"));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ResultCacheTest, KeyedByImageAndKeySet) {
  kube::testing::FakeClock clock;
  ResultCache cache(8, clock);
  cache.Put("app:v1", "keys-a", Verified("sha256:a"), seconds(60));
  EXPECT_FALSE(cache.Get("app:v1", "keys-b"));
  EXPECT_FALSE(cache.Get("app:v2", "keys-a"));
  EXPECT_TRUE(cache.Get("app:v1", "keys-a"));
}

TEST(ResultCacheTest, EvictsLeastRecentlyUsedWhenFull) {
  kube::testing::FakeClock clock;
  ResultCache cache(2, clock);
  cache.Put("a", "k", Verified("sha256:a"), seconds(60));
  cache.Put("b", "k", Verified("sha256:b"), seconds(60));
  ASSERT_TRUE(cache.Get("a", "k"));  // b is now the least recently used
  cache.Put("c", "k", Verified("sha256:c"), seconds(60));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.Get("a", "k"));
  EXPECT_FALSE(cache.Get("b", "k"));
  EXPECT_TRUE(cache.Get("c", "k"));
}

TEST(ResultCacheTest, PutReplacesAndRenews) {
  kube::testing::FakeClock clock;
  ResultCache cache(2, clock);
  cache.Put("a", "k", Verified("sha256:a"), seconds(10));
  clock.Advance(seconds(8));
  cache.Put("a", "k", Verified("sha256:b"), seconds(10));
  clock.Advance(seconds(8));
  ASSERT_TRUE(cache.Get("a", "k"));
  EXPECT_EQ(cache.Get("a", "k")->digest, "sha256:b");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ResultCacheTest, ZeroTtlStoresNothing) {
  kube::testing::FakeClock clock;
  ResultCache cache(2, clock);
  cache.Put("a", "k", Verified("sha256:a"), seconds(0));
  EXPECT_FALSE(cache.Get("a", "k"));
}

}  // namespace
}  // namespace csp::imageverify
