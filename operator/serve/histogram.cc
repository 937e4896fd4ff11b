#include "csp/serve/histogram.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace csp::serve {

Histogram::Histogram(std::vector<double> upper_bounds) : upper_bounds_(std::move(upper_bounds)) {
  std::erase_if(upper_bounds_, [](double b) { return std::isnan(b) || b == INFINITY; });
  std::sort(upper_bounds_.begin(), upper_bounds_.end());
  upper_bounds_.erase(std::unique(upper_bounds_.begin(), upper_bounds_.end()), upper_bounds_.end());
  bucket_counts_.assign(upper_bounds_.size() + 1, 0);
}

void Histogram::Observe(double value) {
  // The first bound >= value: buckets are "less than or equal". NaN is in no finite bucket.
  const std::size_t bucket =
      std::isnan(value) ? upper_bounds_.size()
                        : std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) -
                              upper_bounds_.begin();
  std::lock_guard lock(mu_);
  ++bucket_counts_[bucket];
  sum_ += value;
  ++count_;
}

void Histogram::Render(MetricsText& out, std::string_view name, const Labels& labels) const {
  std::vector<std::uint64_t> counts;
  double sum = 0;
  std::uint64_t count = 0;
  {
    std::lock_guard lock(mu_);
    counts = bucket_counts_;
    sum = sum_;
    count = count_;
  }
  const std::string bucket_name = std::string(name) + "_bucket";
  Labels bucket_labels = labels;
  bucket_labels.emplace_back("le", "");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    bucket_labels.back().second = i < upper_bounds_.size() ? FormatValue(upper_bounds_[i]) : "+Inf";
    out.Sample(bucket_name, bucket_labels, static_cast<double>(cumulative));
  }
  out.Sample(std::string(name) + "_sum", labels, sum);
  out.Sample(std::string(name) + "_count", labels, static_cast<double>(count));
}

std::uint64_t Histogram::Count() const {
  std::lock_guard lock(mu_);
  return count_;
}

double Histogram::Sum() const {
  std::lock_guard lock(mu_);
  return sum_;
}

}  // namespace csp::serve
