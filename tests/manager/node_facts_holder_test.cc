// NodeFactsHolder: facts are replaced only when evaluation could differ.
#include "csp/manager/node_facts_holder.h"

#include <gtest/gtest.h>

namespace csp::manager {
namespace {

policy::NodeFacts Facts(std::string label_value, bool installed) {
  policy::NodeFacts facts;
  facts.nodes.push_back({.name = "n1", .labels = {{"zone", label_value}}});
  if (installed) facts.seccomp["n1"].insert("containersecurity/csp-default.json");
  facts.managed_apparmor.insert("csp-default");
  return facts;
}

TEST(NodeFactsHolderTest, ReplacesOnlyOnAChange) {
  NodeFactsHolder holder;
  EXPECT_EQ(holder.Current(), nullptr);  // unknown until the caches synced
  EXPECT_TRUE(holder.Replace(Facts("a", true)));
  const auto first = holder.Current();
  EXPECT_FALSE(holder.Replace(Facts("a", true)));
  EXPECT_EQ(holder.Current(), first);
  EXPECT_TRUE(holder.Replace(Facts("b", true)));   // a node label changed
  EXPECT_TRUE(holder.Replace(Facts("b", false)));  // a profile is gone
  EXPECT_TRUE(SameNodeFacts(*holder.Current(), Facts("b", false)));
  EXPECT_FALSE(SameNodeFacts(*first, *holder.Current()));
  EXPECT_EQ(first->nodes[0].labels.at("zone"), "a");  // old facts stay valid for their holders
}

}  // namespace
}  // namespace csp::manager
