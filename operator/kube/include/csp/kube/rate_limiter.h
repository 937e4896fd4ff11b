// A client-side token bucket (client-go's --kube-api-qps / --kube-api-burst): `burst` requests
// may go at once, then `qps` per second on average.
#pragma once

#include <mutex>

#include "csp/kube/clock.h"

namespace csp::kube {

class TokenBucket {
 public:
  // qps <= 0 disables the limit. burst < 1 is treated as 1. The bucket starts full.
  TokenBucket(double qps, int burst, Clock& clock);

  // Takes a token and returns how long the caller must wait before using it. Tokens are
  // reserved in call order, so waits grow by 1/qps per caller once the bucket is empty.
  Clock::Duration Reserve();

  // Reserve(), then sleep that long on the clock. Thread-safe.
  void Wait();

 private:
  const double qps_;
  const double burst_;
  Clock& clock_;
  std::mutex mu_;
  double tokens_;  // may go negative: tokens promised to callers still waiting
  Clock::TimePoint last_;
};

}  // namespace csp::kube
