// PolicySet: valid policies sorted and findable, invalid ones kept with their error, and the
// next exemption expiry.
#include "csp/manager/policy_set.h"

#include <gtest/gtest.h>

namespace csp::manager {
namespace {

using json = nlohmann::json;

std::shared_ptr<const json> Policy(std::string name, json spec) {
  return std::make_shared<const json>(json{{"apiVersion", "containersecurity.dev/v1alpha1"},
                                           {"kind", "ContainerSecurityPolicy"},
                                           {"metadata", {{"name", name}}},
                                           {"spec", spec}});
}

std::chrono::sys_seconds At(int month, int day) {
  return std::chrono::sys_days(std::chrono::year(2026) / month / day);
}

TEST(PolicySetTest, ParsesSortsAndKeepsErrors) {
  const std::vector<std::shared_ptr<const json>> objects = {
      Policy("zeta", json::object()), Policy("alpha", {{"action", "Label"}}),
      Policy("broken", {{"action", "Delete"}})};
  const PolicySet set = BuildPolicySet(objects);
  ASSERT_EQ(set.valid.size(), 2u);
  EXPECT_EQ(set.valid[0].name, "alpha");
  EXPECT_EQ(set.valid[1].name, "zeta");
  ASSERT_NE(set.Find("alpha"), nullptr);
  EXPECT_EQ(set.Find("alpha")->action, policy::Action::kLabel);
  EXPECT_EQ(set.Find("broken"), nullptr);
  EXPECT_EQ(set.Find("nope"), nullptr);
  ASSERT_TRUE(set.invalid.contains("broken"));
  EXPECT_NE(set.invalid.at("broken").find("spec.action"), std::string::npos)
      << set.invalid.at("broken");
}

TEST(PolicySetTest, NextExpiryIsTheEarliestInTheFuture) {
  const std::vector<std::shared_ptr<const json>> objects = {
      Policy("a", {{"exemptions",
                    {{{"reason", "past"}, {"expires", "2026-01-01T00:00:00Z"}},
                     {{"reason", "later"}, {"expires", "2026-09-01T00:00:00Z"}}}}}),
      Policy("b", {{"exemptions",
                    {{{"reason", "sooner"}, {"expires", "2026-05-01T00:00:00Z"}},
                     {{"reason", "forever"}}}}})};
  const PolicySet set = BuildPolicySet(objects);
  ASSERT_EQ(set.valid.size(), 2u);
  EXPECT_EQ(set.NextExpiry(At(3, 1)), At(5, 1));
  EXPECT_EQ(set.NextExpiry(At(5, 1)), At(9, 1));  // an expiry at `now` is already past
  EXPECT_EQ(set.NextExpiry(At(10, 1)), std::nullopt);
}

TEST(PolicySetHolderTest, ReplacesAndKeepsOldSetsAlive) {
  PolicySetHolder holder;
  EXPECT_TRUE(holder.Current()->valid.empty());
  auto first = std::make_shared<const PolicySet>(
      BuildPolicySet(std::vector<std::shared_ptr<const json>>{Policy("one", json::object())}));
  holder.Replace(first);
  auto held = holder.Current();
  holder.Replace(std::make_shared<const PolicySet>());
  EXPECT_EQ(held->valid.size(), 1u);  // a reconcile in flight keeps its set
  EXPECT_TRUE(holder.Current()->valid.empty());
}

}  // namespace
}  // namespace csp::manager
