// A cumulative Prometheus histogram, safe to Observe from any thread while another renders.
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "csp/serve/metrics_text.h"

namespace csp::serve {

inline const std::vector<double> kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                    0.5,   1,    2.5,   5,    10};

class Histogram {
 public:
  // Upper bounds (inclusive), sorted ascending. They are sorted and deduplicated anyway, and NaN
  // and +Inf are dropped: the +Inf bucket is always there.
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double value);

  // name_bucket{...,le="..."} (cumulative, +Inf last), name_sum and name_count, each with
  // `labels`; one consistent snapshot. It does not write the Family line.
  void Render(MetricsText& out, std::string_view name, const Labels& labels = {}) const;

  std::uint64_t Count() const;
  double Sum() const;

 private:
  std::vector<double> upper_bounds_;
  mutable std::mutex mu_;
  std::vector<std::uint64_t> bucket_counts_;  // per bucket, not cumulative; last one is +Inf
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace csp::serve
