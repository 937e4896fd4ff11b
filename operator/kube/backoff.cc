#include "csp/kube/backoff.h"

#include <algorithm>
#include <charconv>

namespace csp::kube {

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform01,
                                       std::optional<std::chrono::seconds> retry_after) {
  using std::chrono::milliseconds;
  if (retry_after) {
    return std::min<milliseconds>(std::chrono::duration_cast<milliseconds>(*retry_after),
                                  policy.max_delay);
  }
  // Doubling stops at the cap, so large retry counts cannot overflow.
  milliseconds ceiling = policy.base_delay;
  for (int i = 0; i < retry && ceiling < policy.max_delay; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, policy.max_delay);
  const double fraction = std::clamp(uniform01, 0.0, 1.0);
  return milliseconds(
      static_cast<milliseconds::rep>(static_cast<double>(ceiling.count()) * fraction));
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

bool IsRetryable(bool idempotent, const Result<HttpResponse>& outcome) {
  if (!outcome) {
    switch (outcome.error().code) {
      case Code::kUnavailable:
        return true;
      case Code::kAborted:
        return idempotent;
      default:
        return false;
    }
  }
  const int status = outcome->status;
  if (status == 429) return true;
  if (status >= 500 && status <= 599) return idempotent;
  return false;
}

}  // namespace csp::kube
