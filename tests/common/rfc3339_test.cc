// ParseRfc3339 and the two formats the Kubernetes API uses (metav1.Time, metav1.MicroTime),
// over the whole range of four-digit years.
#include "csp/common/rfc3339.h"

#include <gtest/gtest.h>

#include <ostream>

namespace csp {
namespace {

using namespace std::chrono;

struct TimeCase {
  std::string name = {};
  std::string text = {};
  std::optional<std::chrono::sys_seconds> want = {};
};
void PrintTo(const TimeCase& c, std::ostream* os) { *os << c.name; }

std::chrono::sys_seconds At(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return sys_seconds{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s};
}

const TimeCase kTimeCases[] = {
    {"utc_z", "2027-03-31T00:00:00Z", At(2027, 3, 31)},
    {"utc_lower_z", "2027-03-31t12:30:15z", At(2027, 3, 31, 12, 30, 15)},
    {"positive_offset", "2027-03-31T02:00:00+02:00", At(2027, 3, 31)},
    {"negative_offset", "2027-03-30T19:30:00-04:30", At(2027, 3, 31)},
    {"zero_offset", "2027-03-31T00:00:00+00:00", At(2027, 3, 31)},
    {"fraction_ignored", "2027-03-31T00:00:00.999Z", At(2027, 3, 31)},
    {"fraction_with_offset", "2027-03-31T01:00:00.5+01:00", At(2027, 3, 31)},
    {"leap_day", "2028-02-29T00:00:00Z", At(2028, 2, 29)},
    {"end_of_day", "2027-12-31T23:59:59Z", At(2027, 12, 31, 23, 59, 59)},
    {"last_second_of_9999", "9999-12-31T23:59:59Z", At(9999, 12, 31, 23, 59, 59)},
    {"first_second_of_0001", "0001-01-01T00:00:00Z", At(1, 1, 1)},
    {"invalid_date", "2027-02-30T00:00:00Z", std::nullopt},
    {"not_leap_year", "2027-02-29T00:00:00Z", std::nullopt},
    {"month_13", "2027-13-01T00:00:00Z", std::nullopt},
    {"day_zero", "2027-01-00T00:00:00Z", std::nullopt},
    {"hour_24", "2027-03-31T24:00:00Z", std::nullopt},
    {"minute_60", "2027-03-31T00:60:00Z", std::nullopt},
    {"no_zone", "2027-03-31T00:00:00", std::nullopt},
    {"date_only", "2027-03-31", std::nullopt},
    {"empty_fraction", "2027-03-31T00:00:00.Z", std::nullopt},
    {"bad_offset", "2027-03-31T00:00:00+0200", std::nullopt},
    {"offset_hour_out_of_range", "2027-03-31T00:00:00+24:00", std::nullopt},
    {"trailing_garbage", "2027-03-31T00:00:00Zjunk", std::nullopt},
    {"garbage", "next tuesday", std::nullopt},
    {"empty", "", std::nullopt},
    {"slashes", "2027/03/31T00:00:00Z", std::nullopt},
};

class ParseRfc3339Test : public testing::TestWithParam<TimeCase> {};
TEST_P(ParseRfc3339Test, Parses) {
  std::optional<std::chrono::sys_seconds> got = ParseRfc3339(GetParam().text);
  ASSERT_EQ(got.has_value(), GetParam().want.has_value());
  if (got) {
    EXPECT_EQ(*got, *GetParam().want) << FormatRfc3339(*got);
  }
}
INSTANTIATE_TEST_SUITE_P(Cases, ParseRfc3339Test, testing::ValuesIn(kTimeCases),
                         [](auto& info) { return info.param.name; });

TEST(FormatRfc3339Test, RoundTrips) {
  EXPECT_EQ(FormatRfc3339(At(2027, 3, 31, 4, 5, 6)), "2027-03-31T04:05:06Z");
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(At(2030, 1, 2, 23, 59, 58))), At(2030, 1, 2, 23, 59, 58));
  for (sys_seconds t : {At(1, 1, 1), At(9999, 12, 31, 23, 59, 59), At(1970, 1, 1)}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t) << FormatRfc3339(t);
  }
  EXPECT_EQ(FormatRfc3339(At(1, 1, 1)), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(At(9999, 12, 31, 23, 59, 59)), "9999-12-31T23:59:59Z");
}

TEST(FormatRfc3339Test, TruncatesFinerTimesToTheSecond) {
  EXPECT_EQ(FormatRfc3339(system_clock::time_point(seconds(1777629600))), "2026-05-01T10:00:00Z");
  EXPECT_EQ(FormatRfc3339(At(2026, 5, 1, 10) + milliseconds(999)), "2026-05-01T10:00:00Z");
  EXPECT_EQ(FormatRfc3339(sys_days{year{2026} / 5 / 1}), "2026-05-01T00:00:00Z");
}

TEST(FormatRfc3339MicrosTest, IsUtcWithSixFractionDigits) {
  const auto t = sys_days{year{2024} / 5 / 1} + hours(12) + minutes(3) + seconds(4);
  EXPECT_EQ(FormatRfc3339Micros(t), "2024-05-01T12:03:04.000000Z");
  EXPECT_EQ(FormatRfc3339Micros(t + microseconds(7)), "2024-05-01T12:03:04.000007Z");
  EXPECT_EQ(FormatRfc3339Micros(t + microseconds(999999)), "2024-05-01T12:03:04.999999Z");
  EXPECT_EQ(FormatRfc3339Micros(t + nanoseconds(1500)), "2024-05-01T12:03:04.000001Z")
      << "nanoseconds are truncated";
  EXPECT_EQ(ParseRfc3339(FormatRfc3339Micros(t + microseconds(7))), t);
}

}  // namespace
}  // namespace csp
