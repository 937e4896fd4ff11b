#include "csp/agent/node_report.h"

#include <gtest/gtest.h>

namespace csp::agent {
namespace {

using nlohmann::json;

constexpr std::int64_t kT0 = 1777629600;

NodeProfileResult Result(profiles::ProfileKind kind, std::string name, NodeProfileState state,
                         std::string message = "installed") {
  return {.kind = kind, .name = std::move(name), .state = state, .message = std::move(message)};
}

std::vector<std::string> Keys(const json& report) {
  std::vector<std::string> keys;
  for (const json& r : report["results"]) {
    keys.push_back(r["properties"]["node"].get<std::string>() + "|" + r["rule"].get<std::string>() +
                   "|" + r["properties"]["profile"].get<std::string>());
  }
  return keys;
}

TEST(NodeReportTest, ReferencesProfilesAsPodsDo) {
  EXPECT_EQ(PodProfileReference(profiles::ProfileKind::kSeccomp, "web"),
            "containersecurity/web.json");
  EXPECT_EQ(PodProfileReference(profiles::ProfileKind::kAppArmor, "web"), "web");
  EXPECT_EQ(NodeReportRule(profiles::ProfileKind::kSeccomp), "seccomp-profile");
  EXPECT_EQ(NodeReportRule(profiles::ProfileKind::kAppArmor), "apparmor-profile");
}

// The exact shape the operator's reader (controllers/node_profiles.h) relies on.
TEST(NodeReportTest, ResultHasTheAgreedShape) {
  EXPECT_EQ(NodeReportResult(
                "node-a",
                Result(profiles::ProfileKind::kSeccomp, "web", NodeProfileState::kInstalled), kT0),
            json::parse(R"({
              "source": "containersecurity",
              "policy": "csp-node-profiles",
              "rule": "seccomp-profile",
              "result": "pass",
              "message": "installed",
              "timestamp": {"seconds": 1777629600, "nanos": 0},
              "resources": [{"apiVersion": "v1", "kind": "Node", "name": "node-a"}],
              "properties": {"node": "node-a", "profile": "containersecurity/web.json",
                             "type": "Seccomp", "state": "Installed"}
            })"));
  const json apparmor = NodeReportResult(
      "node-a",
      Result(profiles::ProfileKind::kAppArmor, "web", NodeProfileState::kUnsupported, "no"), kT0);
  EXPECT_EQ(apparmor["rule"], "apparmor-profile");
  EXPECT_EQ(apparmor["result"], "skip");
  EXPECT_EQ(apparmor["properties"]["profile"], "web");
  EXPECT_EQ(apparmor["properties"]["type"], "AppArmor");
  EXPECT_EQ(apparmor["properties"]["state"], "Unsupported");
}

TEST(NodeReportTest, ANodesReportIsNamedAfterIt) {
  EXPECT_EQ(NodeReportName("kwok-node-1"), "csp-node-profiles-kwok-node-1");
  const std::string longest_whole(253 - 18, 'n');  // 18: "csp-node-profiles-"
  EXPECT_EQ(NodeReportName(longest_whole), "csp-node-profiles-" + longest_whole);
}

// Past 253 characters: cut to 226 of the node's, then "-" and 8 hex digits of its FNV-1a hash
// (computed independently: Python, the FNV-1a 64-bit constants).
TEST(NodeReportTest, ALongNodeNameIsCutAndHashed) {
  const std::string node(300, 'n');
  const std::string name = NodeReportName(node);
  EXPECT_EQ(name, "csp-node-profiles-" + std::string(226, 'n') + "-a4cf91b7");
  EXPECT_EQ(name.size(), 253u);
  EXPECT_EQ(NodeReportName(node), name) << "stable";
  EXPECT_NE(NodeReportName(std::string(299, 'n') + "m"), name) << "the whole name is hashed";
  EXPECT_EQ(NodeReportName(std::string(253 - 18 + 1, 'n')).size(), 253u);
}

// A cut that ends in '.' or '-' would make "x.-hash", not a DNS subdomain: those are dropped.
TEST(NodeReportTest, ACutNeverEndsInADotOrDash) {
  const std::string dash_dot = NodeReportName(std::string(224, 'a') + ".-" + std::string(30, 'b'));
  EXPECT_EQ(dash_dot.substr(0, 18 + 224 + 1), "csp-node-profiles-" + std::string(224, 'a') + "-");
  EXPECT_EQ(dash_dot.size(), 18u + 224 + 1 + 8);
  EXPECT_EQ(NodeReportName(std::string(230, 'a') + "." + std::string(30, 'b')),
            "csp-node-profiles-" + std::string(226, 'a') + "-230ea15b");
}

TEST(NodeReportTest, CreatesTheReport) {
  const json report = MergeNodeReport(
      nullptr, "n1",
      {Result(profiles::ProfileKind::kSeccomp, "csp-default", NodeProfileState::kInstalled),
       Result(profiles::ProfileKind::kAppArmor, "csp-default", NodeProfileState::kFailed, "boom")},
      kT0);
  EXPECT_EQ(report["apiVersion"], "wgpolicyk8s.io/v1alpha2");
  EXPECT_EQ(report["kind"], "ClusterPolicyReport");
  EXPECT_EQ(report["metadata"],
            json({{"name", "csp-node-profiles-n1"},
                  {"labels", {{"app.kubernetes.io/managed-by", "csp-agent"}}}}));
  EXPECT_EQ(report["summary"],
            json({{"pass", 1}, {"fail", 1}, {"warn", 0}, {"error", 0}, {"skip", 0}}));
  EXPECT_EQ(Keys(report),
            (std::vector<std::string>{"n1|apparmor-profile|csp-default",
                                      "n1|seccomp-profile|containersecurity/csp-default.json"}));
}

TEST(NodeReportTest, ReplacesOnlyThisNodesResultsAndKeepsMetadata) {
  json existing = MergeNodeReport(
      nullptr, "n2",
      {Result(profiles::ProfileKind::kSeccomp, "b", NodeProfileState::kPending, "wait")}, kT0);
  existing = MergeNodeReport(
      existing, "n1",
      {Result(profiles::ProfileKind::kSeccomp, "old", NodeProfileState::kInstalled)}, kT0);
  existing["metadata"]["resourceVersion"] = "42";
  existing["metadata"]["labels"]["team"] = "sec";

  const json merged = MergeNodeReport(
      existing, "n1",
      {Result(profiles::ProfileKind::kSeccomp, "z", NodeProfileState::kInstalled),
       Result(profiles::ProfileKind::kSeccomp, "a", NodeProfileState::kUnsupported, "x")},
      kT0);
  EXPECT_EQ(Keys(merged),
            (std::vector<std::string>{"n1|seccomp-profile|containersecurity/a.json",
                                      "n1|seccomp-profile|containersecurity/z.json",
                                      "n2|seccomp-profile|containersecurity/b.json"}));
  EXPECT_EQ(merged["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(merged["metadata"]["labels"]["team"], "sec");
  EXPECT_EQ(merged["summary"],
            json({{"pass", 1}, {"fail", 0}, {"warn", 1}, {"error", 0}, {"skip", 1}}));

  EXPECT_EQ(merged["metadata"]["name"], "csp-node-profiles-n2") << "the name read is kept";

  const json emptied = MergeNodeReport(merged, "n1", {}, kT0);
  EXPECT_EQ(Keys(emptied),
            (std::vector<std::string>{"n2|seccomp-profile|containersecurity/b.json"}));
}

// Later, with the same results: nothing changes, timestamps included, so nothing is written.
TEST(NodeReportTest, MergingTheSameResultsChangesNothing) {
  const std::vector<NodeProfileResult> results = {
      Result(profiles::ProfileKind::kSeccomp, "a", NodeProfileState::kInstalled),
      Result(profiles::ProfileKind::kSeccomp, "b", NodeProfileState::kInstalled)};
  const json once = MergeNodeReport(nullptr, "n1", results, kT0);
  EXPECT_EQ(MergeNodeReport(once, "n1", results, kT0 + 60), once);
}

TEST(NodeReportTest, OnlyChangedResultsGetANewTimestamp) {
  const json once =
      MergeNodeReport(nullptr, "n1",
                      {Result(profiles::ProfileKind::kSeccomp, "a", NodeProfileState::kInstalled),
                       Result(profiles::ProfileKind::kSeccomp, "b", NodeProfileState::kInstalled)},
                      kT0);
  const json later = MergeNodeReport(
      once, "n1",
      {Result(profiles::ProfileKind::kSeccomp, "a", NodeProfileState::kInstalled),
       Result(profiles::ProfileKind::kSeccomp, "b", NodeProfileState::kFailed, "gone wrong")},
      kT0 + 60);
  EXPECT_EQ(later["results"][0]["timestamp"], json({{"seconds", kT0}, {"nanos", 0}}));
  EXPECT_EQ(later["results"][1]["timestamp"], json({{"seconds", kT0 + 60}, {"nanos", 0}}));
}

// Found by tests/fuzz/node_report_fuzzer: a message can be a program's output (apparmor_parser's
// stderr, cut at a byte limit) holding bytes that are not UTF-8. The report must still
// serialize: the status write sends it as JSON, and dump() throws on such a string.
TEST(NodeReportTest, AMessageThatIsNotUtf8StillSerializes) {
  const json report = MergeNodeReport(nullptr, "n1",
                                      {Result(profiles::ProfileKind::kAppArmor, "a",
                                              NodeProfileState::kFailed, "parser: cut in \xC3")},
                                      kT0);
  std::string text;
  ASSERT_NO_THROW(text = report.dump());
  EXPECT_EQ(report["results"][0]["message"], "parser: cut in \xEF\xBF\xBD");  // U+FFFD
}

TEST(NodeReportTest, RestoresTheManagedByLabel) {
  json report = MergeNodeReport(nullptr, "n1", {}, kT0);
  report["metadata"].erase("labels");
  EXPECT_EQ(
      MergeNodeReport(report, "n1", {}, kT0)["metadata"]["labels"]["app.kubernetes.io/managed-by"],
      "csp-agent");
}

}  // namespace
}  // namespace csp::agent
