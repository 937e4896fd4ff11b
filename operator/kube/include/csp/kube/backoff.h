// Which failed requests are retried, and how long to wait before the next attempt.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "csp/common/result.h"
#include "csp/kube/transport.h"

namespace csp::kube {

struct RetryPolicy {
  int max_attempts = 5;  // tries in total, including the first; 1 disables retries
  std::chrono::milliseconds base_delay{200};
  // Caps the exponential delay and a server's Retry-After.
  std::chrono::milliseconds max_delay{30'000};
};

// Exponential backoff with full jitter: uniform in [0, min(max_delay, base_delay * 2^retry)],
// where `retry` counts from 0 and `uniform01` is a draw from [0, 1). A Retry-After from the
// server replaces the jittered delay (capped at max_delay): it knows when it will be ready.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform01,
                                       std::optional<std::chrono::seconds> retry_after);

// Retry-After in its delta-seconds form; an HTTP date or junk gives nullopt.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value);

// Whether a request may be sent again after `outcome`:
//   429                                   always: the server turned it away before acting.
//   5xx                                   only if `idempotent`: a 500 may follow a done write.
//   transport kUnavailable (nothing sent) always.
//   transport kAborted (maybe acted on)   only if `idempotent`.
//   transport kUnauthenticated (TLS), any other status: never.
// Idempotent here means a replay cannot do harm: GET; PUT (it carries a resourceVersion, so a
// replay after success is a 409); DELETE (a replay is a 404); merge and apply PATCH. POST
// (create) is not: its replay could create twice (generateName) or misreport AlreadyExists.
bool IsRetryable(bool idempotent, const Result<HttpResponse>& outcome);

}  // namespace csp::kube
