#include "retry_send.h"

#include <random>

namespace csp::registry {
namespace {

double Uniform01() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

Result<kube::HttpResponse> SendWithRetry(const RetryContext& context, const HttpCall& call) {
  for (int attempt = 0;; ++attempt) {
    Result<kube::HttpResponse> outcome = [&]() -> Result<kube::HttpResponse> {
      CSP_TRY(HostLimiter::Slot slot, context.limiter.Acquire(call.host, call.deadline));
      return context.transport.Send(call);
    }();
    if (attempt + 1 >= context.policy.max_attempts || !kube::IsRetryable(true, outcome)) {
      return outcome;
    }
    std::optional<std::chrono::seconds> retry_after;
    if (outcome) {
      if (auto value = kube::FindHeader(outcome->headers, "retry-after")) {
        retry_after = kube::ParseRetryAfter(*value);
      }
    }
    const auto delay = kube::BackoffDelay(context.policy, attempt, Uniform01(), retry_after);
    // The deadline is real time (the transport's); waiting past it could only end in failure.
    if (std::chrono::steady_clock::now() + delay >= call.deadline) return outcome;
    context.clock.SleepFor(delay);
  }
}

}  // namespace csp::registry
