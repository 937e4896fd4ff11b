#include "csp/kube/backoff.h"

#include <gtest/gtest.h>

namespace csp::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const RetryPolicy kPolicy{
    .max_attempts = 5, .base_delay = milliseconds(100), .max_delay = milliseconds(1000)};

TEST(BackoffDelayTest, CeilingDoublesUpToTheCap) {
  // With a draw just under 1 the delay sits at the ceiling: 100, 200, 400, 800, then 1000.
  const double top = 0.999999;
  EXPECT_EQ(BackoffDelay(kPolicy, 0, top, std::nullopt), milliseconds(99));
  EXPECT_EQ(BackoffDelay(kPolicy, 1, top, std::nullopt), milliseconds(199));
  EXPECT_EQ(BackoffDelay(kPolicy, 2, top, std::nullopt), milliseconds(399));
  EXPECT_EQ(BackoffDelay(kPolicy, 3, top, std::nullopt), milliseconds(799));
  EXPECT_EQ(BackoffDelay(kPolicy, 4, top, std::nullopt), milliseconds(999));
  EXPECT_EQ(BackoffDelay(kPolicy, 60, top, std::nullopt), milliseconds(999)) << "no overflow";
}

TEST(BackoffDelayTest, FullJitterScalesTheWholeRange) {
  EXPECT_EQ(BackoffDelay(kPolicy, 2, 0.0, std::nullopt), milliseconds(0));
  EXPECT_EQ(BackoffDelay(kPolicy, 2, 0.5, std::nullopt), milliseconds(200));
  EXPECT_EQ(BackoffDelay(kPolicy, 2, 0.25, std::nullopt), milliseconds(100));
}

TEST(BackoffDelayTest, RetryAfterReplacesJitterAndIsCapped) {
  EXPECT_EQ(BackoffDelay(kPolicy, 0, 0.0, seconds(0)), milliseconds(0));
  const RetryPolicy roomy{.max_delay = milliseconds(30'000)};
  EXPECT_EQ(BackoffDelay(roomy, 0, 0.1, seconds(3)), milliseconds(3000));
  EXPECT_EQ(BackoffDelay(kPolicy, 0, 0.1, seconds(3)), milliseconds(1000));
}

TEST(ParseRetryAfterTest, AcceptsOnlyDeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("1"), seconds(1));
  EXPECT_EQ(ParseRetryAfter(" 120 "), seconds(120));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter(""), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("5s"), std::nullopt);
}

struct RetryCase {
  const char* name = "";
  Result<HttpResponse> outcome = HttpResponse{};
  bool idempotent_retried = false;
  bool create_retried = false;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const RetryCase& c, std::ostream* os) { *os << c.name; }

HttpResponse WithStatus(int code) { return {.status = code}; }

const RetryCase kRetryCases[] = {
    {"ok_200", WithStatus(200), false, false},
    {"not_found_404", WithStatus(404), false, false},
    {"conflict_409", WithStatus(409), false, false},
    {"too_many_429", WithStatus(429), true, true},
    {"internal_500", WithStatus(500), true, false},
    {"unavailable_503", WithStatus(503), true, false},
    {"gateway_timeout_504", WithStatus(504), true, false},
    {"connect_refused", Error{Code::kUnavailable, "refused"}, true, true},
    {"connection_lost", Error{Code::kAborted, "reset"}, true, false},
    {"tls_untrusted", Error{Code::kUnauthenticated, "verify failed"}, false, false},
    {"internal_transport", Error{Code::kInternal, "bug"}, false, false},
};

class IsRetryableTest : public ::testing::TestWithParam<RetryCase> {};

TEST_P(IsRetryableTest, DependsOnOutcomeAndIdempotency) {
  EXPECT_EQ(IsRetryable(/*idempotent=*/true, GetParam().outcome), GetParam().idempotent_retried);
  EXPECT_EQ(IsRetryable(/*idempotent=*/false, GetParam().outcome), GetParam().create_retried);
}

INSTANTIATE_TEST_SUITE_P(Cases, IsRetryableTest, ::testing::ValuesIn(kRetryCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace csp::kube
