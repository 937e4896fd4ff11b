// SaturatingTimePoint and ClampedDelay at both ends of RFC 3339's range.
#include "csp/common/saturating_time.h"

#include <gtest/gtest.h>

namespace csp {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;
using std::chrono::system_clock;

// 9999-12-31T23:59:59Z and 0001-01-01T00:00:00Z.
constexpr sys_seconds kLastRfc3339 = sys_days(std::chrono::year(9999) / 12 / 31) + hours(23) +
                                     std::chrono::minutes(59) + seconds(59);
constexpr sys_seconds kYearOne = sys_days(std::chrono::year(1) / 1 / 1);
constexpr sys_seconds kMarch2026 = sys_days(std::chrono::year(2026) / 3 / 1);

system_clock::time_point Now() { return system_clock::time_point(kMarch2026) + milliseconds(500); }

TEST(SaturatingTimePointTest, ClampsInstantsOutsideTheClocksRange) {
  EXPECT_EQ(SaturatingTimePoint(kLastRfc3339), system_clock::time_point::max());
  EXPECT_EQ(SaturatingTimePoint(kYearOne), system_clock::time_point::min());
  EXPECT_EQ(SaturatingTimePoint(kMarch2026), system_clock::time_point(kMarch2026));
}

TEST(ClampedDelayTest, ExactWithinTheCap) {
  EXPECT_EQ(ClampedDelay(kMarch2026 + seconds(10), Now(), hours(1)), milliseconds(9'500));
  EXPECT_EQ(ClampedDelay(kMarch2026 + hours(1), Now(), hours(1)), hours(1) - milliseconds(500));
}

TEST(ClampedDelayTest, AFarFutureInstantGivesTheCap) {
  EXPECT_EQ(ClampedDelay(kLastRfc3339, Now(), hours(1)), hours(1));
  EXPECT_EQ(ClampedDelay(kLastRfc3339, Now(), milliseconds(250)), milliseconds(250));
  EXPECT_EQ(ClampedDelay(kMarch2026 + days(1), Now(), hours(1)), hours(1));
}

TEST(ClampedDelayTest, APastInstantGivesZero) {
  EXPECT_EQ(ClampedDelay(kYearOne, Now(), hours(1)), hours(0));
  EXPECT_EQ(ClampedDelay(kMarch2026, Now(), hours(1)), hours(0));  // half a second ago
  EXPECT_EQ(ClampedDelay(kMarch2026 - days(1), Now(), hours(1)), hours(0));
}

TEST(ClampedDelayTest, NowAtTheEdgesOfTheClock) {
  // The clock's last instant is in 2262, long before 9999.
  EXPECT_EQ(ClampedDelay(kLastRfc3339, system_clock::time_point::max(), hours(1)), hours(1));
  EXPECT_EQ(ClampedDelay(kYearOne, system_clock::time_point::min(), hours(1)), hours(0));
  EXPECT_EQ(ClampedDelay(kLastRfc3339, system_clock::time_point::min(), hours(1)), hours(1));
}

}  // namespace
}  // namespace csp
