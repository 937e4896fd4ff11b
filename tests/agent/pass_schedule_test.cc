#include "csp/agent/pass_schedule.h"

#include <gtest/gtest.h>

#include <ostream>

namespace csp::agent {
namespace {

using namespace std::chrono_literals;

// A fixed instant: the schedule never reads a clock.
SyncTimePoint At(std::chrono::seconds offset) { return SyncTimePoint{} + 1000s + offset; }

struct DeadlineCase {
  std::string name;
  PassTimers timers;
  SyncTimePoint deadline;
};
void PrintTo(const DeadlineCase& c, std::ostream* out) { *out << c.name; }

class WakeDeadlineTest : public testing::TestWithParam<DeadlineCase> {};

TEST_P(WakeDeadlineTest, IsTheEarliestTimer) {
  EXPECT_EQ(WakeDeadline(GetParam().timers), GetParam().deadline);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WakeDeadlineTest,
    testing::Values(DeadlineCase{"resync_only", {.resync_at = At(600s)}, At(600s)},
                    DeadlineCase{"retry_first", {.resync_at = At(600s), .retry = At(2s)}, At(2s)},
                    DeadlineCase{"trim_first",
                                 {.resync_at = At(600s), .retry = At(20s), .trim_at = At(10s)},
                                 At(10s)},
                    DeadlineCase{"resync_first",
                                 {.resync_at = At(5s), .retry = At(20s), .trim_at = At(10s)},
                                 At(5s)}),
    [](const auto& info) { return info.param.name; });

struct WakeCase {
  std::string name;
  PassTimers timers;
  bool woken;
  WakeDecision decision;
};
void PrintTo(const WakeCase& c, std::ostream* out) { *out << c.name; }

class DecideWakeTest : public testing::TestWithParam<WakeCase> {};

TEST_P(DecideWakeTest, TrimsAndPassesWhenDue) {
  const WakeDecision got = DecideWake(GetParam().timers, GetParam().woken, At(0s));
  EXPECT_EQ(got.trim, GetParam().decision.trim) << "trim";
  EXPECT_EQ(got.pass, GetParam().decision.pass) << "pass";
  EXPECT_EQ(got.full, GetParam().decision.full) << "full";
}

constexpr WakeDecision kTrimOnly{.trim = true};
constexpr WakeDecision kPass{.pass = true};
constexpr WakeDecision kFullPass{.pass = true, .full = true};

// `now` is At(0s): a timer at At(0s) or before is due.
INSTANTIATE_TEST_SUITE_P(
    Cases, DecideWakeTest,
    testing::Values(
        WakeCase{"change_brings_a_pass", {.resync_at = At(600s)}, true, kPass},
        WakeCase{"change_with_resync_due_is_full", {.resync_at = At(0s)}, true, kFullPass},
        WakeCase{
            "change_puts_off_a_due_trim", {.resync_at = At(600s), .trim_at = At(-1s)}, true, kPass},
        WakeCase{"quiet_trim_alone",
                 {.resync_at = At(600s), .retry = At(5s), .trim_at = At(0s)},
                 false,
                 kTrimOnly},
        WakeCase{"quiet_trim_and_due_retry",
                 {.resync_at = At(600s), .retry = At(0s), .trim_at = At(0s)},
                 false,
                 {.trim = true, .pass = true}},
        WakeCase{"quiet_trim_and_due_resync",
                 {.resync_at = At(-1s), .trim_at = At(0s)},
                 false,
                 {.trim = true, .pass = true, .full = true}},
        WakeCase{"retry_due", {.resync_at = At(600s), .retry = At(0s)}, false, kPass},
        WakeCase{"resync_due", {.resync_at = At(0s), .retry = At(9s)}, false, kFullPass},
        WakeCase{"trim_not_yet_due_but_retry_is",
                 {.resync_at = At(600s), .retry = At(0s), .trim_at = At(3s)},
                 false,
                 kPass}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::agent
