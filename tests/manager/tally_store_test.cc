// TallyStore: per-namespace tallies, which policies changed, and the sums.
#include "csp/manager/tally_store.h"

#include <gtest/gtest.h>

namespace csp::manager {
namespace {

controllers::PolicyTally Tally(std::int64_t passing, std::int64_t failing) {
  return {.total = passing + failing, .passing = passing, .failing = failing};
}

TEST(TallyStoreTest, ReportsChangedPoliciesAndSums) {
  TallyStore store;
  EXPECT_EQ(store.Replace("a", {{"p", Tally(1, 0)}, {"q", Tally(0, 1)}}),
            (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(store.Replace("b", {{"p", Tally(2, 3)}}), (std::vector<std::string>{"p"}));
  // The same again changes nothing.
  EXPECT_TRUE(store.Replace("b", {{"p", Tally(2, 3)}}).empty());
  EXPECT_EQ(store.Total("p").passing, 3);
  EXPECT_EQ(store.Total("p").failing, 3);
  EXPECT_EQ(store.Total("p").total, 6);
  EXPECT_EQ(store.Total("missing").total, 0);
  // q disappears from a; p changes there.
  EXPECT_EQ(store.Replace("a", {{"p", Tally(0, 1)}}), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(store.Total("q").total, 0);
  const Tallies totals = store.Totals();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals.at("p").failing, 4);
  // Forgetting a namespace changes its policies.
  EXPECT_EQ(store.Replace("b", {}), (std::vector<std::string>{"p"}));
  EXPECT_EQ(store.Total("p").total, 1);
}

}  // namespace
}  // namespace csp::manager
