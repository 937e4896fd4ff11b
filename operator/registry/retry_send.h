// One HTTP exchange, repeated while it fails in a retryable way: a free slot of the host's
// concurrency limit is held for each attempt, and attempts are spaced by jittered exponential
// backoff (Retry-After honored), never sleeping past the call's deadline.
#pragma once

#include "csp/kube/backoff.h"
#include "csp/kube/clock.h"
#include "csp/registry/host_limiter.h"
#include "csp/registry/transport.h"

namespace csp::registry {

struct RetryContext {
  Transport& transport;
  HostLimiter& limiter;
  kube::Clock& clock;  // sleeps between attempts
  const kube::RetryPolicy& policy;
};

// The last outcome: a response (perhaps still 429 or 5xx when attempts or time ran out) or the
// transport's error. Retried: 429, 5xx, and transport errors kUnavailable and kAborted (every
// registry request is a read; a token POST may be replayed too).
Result<kube::HttpResponse> SendWithRetry(const RetryContext& context, const HttpCall& call);

}  // namespace csp::registry
