// NodeFactsFrom: Nodes, the agents' node reports (one per node, and the legacy shared one) and
// the SecurityProfiles become the engine's NodeFacts. Only pass + Installed results count;
// malformed ones are skipped.
#include "csp/controllers/node_profiles.h"

#include <gtest/gtest.h>

#include <vector>

#include "csp/names/names.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;
using Installed = std::map<std::string, std::set<std::string>, std::less<>>;

json Node(std::string_view name, json labels = nullptr) {
  json n = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}};
  if (!labels.is_null()) n["metadata"]["labels"] = std::move(labels);
  return n;
}

// One report result in the documented shape.
json Result(std::string_view node, std::string_view type, std::string_view profile,
            std::string_view state) {
  const bool seccomp = type == "Seccomp";
  return {{"policy", "csp-node-profiles"},
          {"source", "containersecurity"},
          {"rule", seccomp ? "seccomp-profile" : "apparmor-profile"},
          {"result", state == "Installed" ? "pass"
                     : state == "Failed"  ? "fail"
                                          : "warn"},
          {"timestamp", {{"seconds", 1767225600}, {"nanos", 0}}},
          {"resources", {{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}},
          {"properties", {{"node", node}, {"profile", profile}, {"type", type}, {"state", state}}}};
}

// A node's report (its name is not read), or with `name` csp-node-profiles the legacy one.
json Report(json results, std::string_view name = "csp-node-profiles-n1") {
  return {{"apiVersion", "wgpolicyk8s.io/v1alpha2"},
          {"kind", "ClusterPolicyReport"},
          {"metadata", {{"name", name}}},
          {"results", std::move(results)}};
}

json Profile(std::string_view name, json type) {
  return {{"apiVersion", "containersecurity.dev/v1alpha1"},
          {"kind", "SecurityProfile"},
          {"metadata", {{"name", name}}},
          {"spec", {{"type", std::move(type)}}}};
}

struct Case {
  std::string name = {};
  json results = json::array();  // the report's results
  Installed seccomp = {};
  Installed apparmor = {};
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

json With(json result, const std::vector<std::string>& path, json value) {
  json* at = &result;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) at = &(*at)[path[i]];
  if (value.is_null()) {
    at->erase(path.back());
  } else {
    (*at)[path.back()] = std::move(value);
  }
  return result;
}

const json kGood = Result("n1", "Seccomp", "containersecurity/web.json", "Installed");

const Case kCases[] = {
    {"installed_of_both_types",
     json::array({Result("n1", "Seccomp", "containersecurity/csp-default.json", "Installed"),
                  Result("n1", "AppArmor", "csp-default", "Installed"),
                  Result("n2", "Seccomp", "containersecurity/csp-default.json", "Installed")}),
     {{"n1", {"containersecurity/csp-default.json"}},
      {"n2", {"containersecurity/csp-default.json"}}},
     {{"n1", {"csp-default"}}}},
    {"only_installed_counts",
     json::array({Result("n1", "Seccomp", "containersecurity/a.json", "Pending"),
                  Result("n1", "Seccomp", "containersecurity/b.json", "Failed"),
                  Result("n1", "AppArmor", "c", "Unsupported"), kGood}),
     {{"n1", {"containersecurity/web.json"}}}},
    {"pass_without_installed_state_does_not_count",
     json::array({With(kGood, {"properties", "state"}, "Pending")})},
    {"installed_state_without_pass_does_not_count", json::array({With(kGood, {"result"}, "fail")})},
    {"rule_and_type_must_agree", json::array({With(kGood, {"rule"}, "apparmor-profile")})},
    {"unknown_rule_skipped", json::array({With(kGood, {"rule"}, "profile")})},
    {"unknown_state_skipped",
     json::array({With(With(kGood, {"properties", "state"}, "Done"), {"result"}, "pass")})},
    {"missing_node_skipped", json::array({With(kGood, {"properties", "node"}, nullptr)})},
    {"empty_profile_skipped", json::array({With(kGood, {"properties", "profile"}, "")})},
    {"mistyped_fields_skipped",
     json::array({With(kGood, {"properties", "node"}, 7), With(kGood, {"properties"}, "x"),
                  With(kGood, {"result"}, true), "junk", 42, nullptr, json::array()})},
    {"malformed_entries_do_not_hide_good_ones",
     json::array({"junk", With(kGood, {"properties"}, nullptr), kGood}),
     {{"n1", {"containersecurity/web.json"}}}},
    {"results_not_an_array", json({{"x", kGood}})},
};

class NodeFactsFromTest : public testing::TestWithParam<Case> {};

TEST_P(NodeFactsFromTest, ReadsTheReport) {
  const json report = Report(GetParam().results);
  const policy::NodeFacts facts = NodeFactsFrom({}, std::vector{&report}, {});
  EXPECT_EQ(facts.seccomp, GetParam().seccomp);
  EXPECT_EQ(facts.apparmor, GetParam().apparmor);
  // The legacy shared report alone (an upgrade's start) reads the same.
  const json legacy = Report(GetParam().results, names::kNodeReportName);
  const policy::NodeFacts from_legacy = NodeFactsFrom({}, std::vector{&legacy}, {});
  EXPECT_EQ(from_legacy.seccomp, GetParam().seccomp);
  EXPECT_EQ(from_legacy.apparmor, GetParam().apparmor);
}

INSTANTIATE_TEST_SUITE_P(Cases, NodeFactsFromTest, testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

TEST(NodeFactsFromTest, NodesWithNamesAndLabels) {
  const std::vector<json> nodes = {Node("n1", {{"zone", "a"}, {"bad", 3}}),
                                   Node("n2"),
                                   Node(""),
                                   json{{"metadata", "x"}},
                                   "junk",
                                   Node("n3", "not-an-object")};
  const policy::NodeFacts facts = NodeFactsFrom(nodes, {}, {});
  ASSERT_EQ(facts.nodes.size(), 3u);
  EXPECT_EQ(facts.nodes[0].name, "n1");
  EXPECT_EQ(facts.nodes[0].labels, (policy::Labels{{"zone", "a"}}));
  EXPECT_EQ(facts.nodes[1].name, "n2");
  EXPECT_TRUE(facts.nodes[1].labels.empty());
  EXPECT_EQ(facts.nodes[2].name, "n3");
  EXPECT_TRUE(facts.seccomp.empty());  // no report: nothing is installed anywhere
  EXPECT_TRUE(facts.apparmor.empty());
}

TEST(NodeFactsFromTest, ManagedAppArmorIsTheDefaultAndAppArmorProfiles) {
  const std::vector<json> profiles = {Profile("web-aa", "AppArmor"),
                                      Profile("web-sc", "Seccomp"),
                                      Profile("", "AppArmor"),
                                      Profile("odd", 5),
                                      json{{"metadata", {{"name", "no-spec"}}}},
                                      "junk"};
  const policy::NodeFacts facts = NodeFactsFrom({}, {}, profiles);
  EXPECT_EQ(facts.managed_apparmor, (std::set<std::string, std::less<>>{"csp-default", "web-aa"}));
}

TEST(NodeFactsFromTest, ReportNotAnObjectIsNoReport) {
  const json report = json::array({kGood});
  const policy::NodeFacts facts = NodeFactsFrom({}, std::vector<const json*>{&report, nullptr}, {});
  EXPECT_TRUE(facts.seccomp.empty());
  EXPECT_EQ(facts.managed_apparmor, (std::set<std::string, std::less<>>{"csp-default"}));
}

// One report per node: the facts are all of theirs, in either API, in any order.
TEST(NodeFactsFromTest, MergesTheReportsOfAllNodes) {
  const json n1 =
      Report({Result("n1", "Seccomp", "containersecurity/csp-default.json", "Installed"),
              Result("n1", "AppArmor", "csp-default", "Installed")},
             "csp-node-profiles-n1");
  const json n2 =
      Report({Result("n2", "Seccomp", "containersecurity/csp-default.json", "Installed"),
              Result("n2", "Seccomp", "containersecurity/web.json", "Pending")},
             "csp-node-profiles-n2");
  json n3 = Report({Result("n3", "AppArmor", "web", "Installed")}, "csp-node-profiles-n3");
  n3["apiVersion"] = "openreports.io/v1alpha1";
  n3["kind"] = "ClusterReport";
  const Installed seccomp = {{"n1", {"containersecurity/csp-default.json"}},
                             {"n2", {"containersecurity/csp-default.json"}}};
  const Installed apparmor = {{"n1", {"csp-default"}}, {"n3", {"web"}}};
  for (const auto& order :
       {std::vector<const json*>{&n1, &n2, &n3}, std::vector<const json*>{&n3, &n2, &n1}}) {
    const policy::NodeFacts facts = NodeFactsFrom({}, order, {});
    EXPECT_EQ(facts.seccomp, seccomp);
    EXPECT_EQ(facts.apparmor, apparmor);
  }
}

// During an upgrade the legacy shared report still holds nodes whose agents are not upgraded
// yet: those count; an upgraded node's own report wins over what the legacy one says of it.
TEST(NodeFactsFromTest, TheLegacyReportCountsOnlyForNodesWithoutAReportOfTheirOwn) {
  const json legacy = Report({Result("n1", "Seccomp", "containersecurity/web.json", "Installed"),
                              Result("n2", "Seccomp", "containersecurity/web.json", "Installed")},
                             names::kNodeReportName);
  const json n1 = Report({Result("n1", "Seccomp", "containersecurity/web.json", "Pending")},
                         "csp-node-profiles-n1");
  for (const auto& order : {std::vector{&legacy, &n1}, std::vector{&n1, &legacy}}) {
    const policy::NodeFacts facts = NodeFactsFrom({}, order, {});
    EXPECT_EQ(facts.seccomp, (Installed{{"n2", {"containersecurity/web.json"}}}));
  }
}

}  // namespace
}  // namespace csp::controllers
