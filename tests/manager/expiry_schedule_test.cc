// ExpirySchedule: the "expiry" key's delay for exemption expiries anywhere in RFC 3339's range,
// and whether a run of the key finds something expired.
#include "csp/manager/expiry_schedule.h"

#include <gtest/gtest.h>

#include "csp/policy/text.h"

namespace csp::manager {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;
using std::chrono::system_clock;

PolicySet WithExpiries(std::vector<std::string> expires) {
  json exemptions = json::array();
  for (const std::string& e : expires) exemptions.push_back({{"reason", "r"}, {"expires", e}});
  const auto object =
      std::make_shared<const json>(json{{"apiVersion", "containersecurity.dev/v1alpha1"},
                                        {"kind", "ContainerSecurityPolicy"},
                                        {"metadata", {{"name", "p"}}},
                                        {"spec", {{"exemptions", exemptions}}}});
  PolicySet set = BuildPolicySet(std::vector<std::shared_ptr<const json>>{object});
  EXPECT_EQ(set.valid.size(), 1u) << (set.invalid.empty() ? "" : set.invalid.begin()->second);
  return set;
}

system_clock::time_point Now() {
  // 2026-03-01T00:00:00.5Z: half a second past a whole second, as a real clock is.
  return system_clock::time_point(*ParseRfc3339("2026-03-01T00:00:00Z")) +
         std::chrono::milliseconds(500);
}

TEST(ExpiryScheduleTest, RunsASecondAfterANearExpiry) {
  ExpirySchedule schedule;
  const auto delay = schedule.Arm(WithExpiries({"2026-03-01T00:00:10Z"}), Now());
  ASSERT_TRUE(delay);
  EXPECT_EQ(*delay, std::chrono::milliseconds(10'500));
  EXPECT_FALSE(schedule.Expired(Now() + seconds(5)));
  EXPECT_TRUE(schedule.Expired(Now() + *delay));
}

TEST(ExpiryScheduleTest, AFarExpiryWaitsAtMostTheCapAndIsNotExpiredThen) {
  ExpirySchedule schedule;
  const auto delay = schedule.Arm(WithExpiries({"9999-12-31T23:59:59Z"}), Now());
  ASSERT_TRUE(delay);
  EXPECT_GT(*delay, kube::Clock::Duration::zero());
  EXPECT_LE(*delay, kMaxExpiryWait);
  EXPECT_FALSE(schedule.Expired(Now() + *delay));
}

TEST(ExpiryScheduleTest, AnExpiryInYearOneIsPast) {
  ExpirySchedule schedule;
  EXPECT_EQ(schedule.Arm(WithExpiries({"0001-01-01T00:00:00Z"}), Now()), std::nullopt);
  EXPECT_FALSE(schedule.Expired(Now()));
}

TEST(ExpiryScheduleTest, BothEndsOfTheRangeTogether) {
  ExpirySchedule schedule;
  const auto delay =
      schedule.Arm(WithExpiries({"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}), Now());
  ASSERT_TRUE(delay);
  EXPECT_GT(*delay, kube::Clock::Duration::zero());
  EXPECT_LE(*delay, kMaxExpiryWait);
}

TEST(ExpiryScheduleTest, ArmingAgainReplacesTheTarget) {
  ExpirySchedule schedule;
  ASSERT_TRUE(schedule.Arm(WithExpiries({"2026-03-01T00:00:10Z"}), Now()));
  // The exemption was removed: the queued run finds nothing expired.
  EXPECT_EQ(schedule.Arm(WithExpiries({}), Now()), std::nullopt);
  EXPECT_FALSE(schedule.Expired(Now() + seconds(20)));
}

}  // namespace
}  // namespace csp::manager
