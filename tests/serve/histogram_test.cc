// Histogram: cumulative buckets with inclusive bounds, +Inf, sum and count, concurrency.
#include "csp/serve/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace csp::serve {
namespace {

std::string Render(const Histogram& h, const Labels& labels = {}) {
  MetricsText text;
  h.Render(text, "d", labels);
  return text.Take();
}

TEST(HistogramTest, EmptyRendersZeroBuckets) {
  const Histogram h({1, 2});
  EXPECT_EQ(Render(h),
            "d_bucket{le=\"1\"} 0\n"
            "d_bucket{le=\"2\"} 0\n"
            "d_bucket{le=\"+Inf\"} 0\n"
            "d_sum 0\n"
            "d_count 0\n");
}

TEST(HistogramTest, BucketsAreCumulativeWithInclusiveBoundsAndInfLast) {
  Histogram h({0.5, 1, 2.5});
  for (double v : {0.125, 0.5, 0.75, 1.0, 2.0, 3.0, 100.0}) h.Observe(v);
  EXPECT_EQ(Render(h, {{"verb", "get"}}),
            "d_bucket{verb=\"get\",le=\"0.5\"} 2\n"
            "d_bucket{verb=\"get\",le=\"1\"} 4\n"
            "d_bucket{verb=\"get\",le=\"2.5\"} 5\n"
            "d_bucket{verb=\"get\",le=\"+Inf\"} 7\n"
            "d_sum{verb=\"get\"} 107.375\n"
            "d_count{verb=\"get\"} 7\n");
  EXPECT_EQ(h.Count(), 7u);
  EXPECT_DOUBLE_EQ(h.Sum(), 107.375);
}

TEST(HistogramTest, BoundsAreSortedDeduplicatedAndInfIsImplicit) {
  Histogram h({2, 1, 2, INFINITY, NAN});
  h.Observe(1.5);
  EXPECT_EQ(Render(h),
            "d_bucket{le=\"1\"} 0\n"
            "d_bucket{le=\"2\"} 1\n"
            "d_bucket{le=\"+Inf\"} 1\n"
            "d_sum 1.5\n"
            "d_count 1\n");
}

TEST(HistogramTest, NaNCountsOnlyInTheInfBucket) {
  Histogram h({1});
  h.Observe(NAN);
  EXPECT_EQ(Render(h),
            "d_bucket{le=\"1\"} 0\n"
            "d_bucket{le=\"+Inf\"} 1\n"
            "d_sum NaN\n"
            "d_count 1\n");
}

TEST(HistogramTest, LatencyBucketsRenderAsPrometheusSpellsThem) {
  Histogram h(kLatencyBuckets);
  h.Observe(0.003);
  const std::string text = Render(h);
  EXPECT_NE(text.find("d_bucket{le=\"0.005\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_bucket{le=\"10\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
}

TEST(HistogramTest, ConcurrentObserveLosesNothing) {
  Histogram h({1, 2});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kPerThread; ++i) h.Observe(t % 2 == 0 ? 0.5 : 1.5);
    });
  }
  // Rendering while observing must see a consistent snapshot: +Inf bucket == count.
  for (int i = 0; i < 50; ++i) {
    MetricsText text;
    h.Render(text, "d");
    const std::string s = text.Take();
    const std::size_t inf = s.find("le=\"+Inf\"} ");
    const std::size_t count = s.find("d_count ");
    ASSERT_NE(inf, std::string::npos);
    ASSERT_NE(count, std::string::npos);
    EXPECT_EQ(s.substr(inf + 11, s.find('\n', inf) - inf - 11),
              s.substr(count + 8, s.find('\n', count) - count - 8));
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(h.Count(), static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_DOUBLE_EQ(h.Sum(), kThreads / 2 * kPerThread * (0.5 + 1.5));
  EXPECT_EQ(Render(h),
            "d_bucket{le=\"1\"} 20000\n"
            "d_bucket{le=\"2\"} 40000\n"
            "d_bucket{le=\"+Inf\"} 40000\n"
            "d_sum 40000\n"
            "d_count 40000\n");
}

}  // namespace
}  // namespace csp::serve
