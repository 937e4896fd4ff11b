#include "csp/agent/profile_status.h"

#include <gtest/gtest.h>

namespace csp::agent {
namespace {

using nlohmann::json;

constexpr std::string_view kNow = "2026-05-01T10:00:00Z";

json Profile(std::int64_t generation, json status = nullptr) {
  json object = {
      {"apiVersion", "containersecurity.dev/v1alpha1"},
      {"kind", "SecurityProfile"},
      {"metadata", {{"name", "p"}, {"generation", generation}, {"resourceVersion", "7"}}},
      {"spec", {{"type", "Seccomp"}}}};
  if (!status.is_null()) object["status"] = std::move(status);
  return object;
}

json Entry(const std::string& node, const std::string& state, std::int64_t generation,
           const std::string& message = "") {
  json entry = {{"node", node}, {"state", state}, {"observedGeneration", generation}};
  if (!message.empty()) entry["message"] = message;
  return entry;
}

NodeStatusEntry Mine(NodeProfileState state, std::int64_t generation, std::string message = "") {
  return {.node = "ignored", .state = state, .message = message, .observed_generation = generation};
}

json ReadyOf(const json& object) {
  for (const json& c : object["status"]["conditions"]) {
    if (c["type"] == "Ready") return c;
  }
  return nullptr;
}

TEST(ProfileStatusTest, ParsesEntriesSortedAndSkipsBrokenOnes) {
  const json status = {{"nodeStatus",
                        {Entry("b", "Failed", 2, "boom"),
                         Entry("a", "Installed", 2),
                         {{"node", "c"}, {"state", "Sideways"}},
                         {{"state", "Installed"}},
                         Entry("a", "Failed", 1)}}};
  const std::vector<NodeStatusEntry> entries = ParseNodeStatus(status);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0],
            (NodeStatusEntry{
                .node = "a", .state = NodeProfileState::kInstalled, .observed_generation = 2}));
  EXPECT_EQ(entries[1].node, "b");
  EXPECT_EQ(entries[1].message, "boom");
  EXPECT_EQ(FindNodeStatus(status, "b")->state, NodeProfileState::kFailed);
  EXPECT_EQ(FindNodeStatus(status, "z"), std::nullopt);
  EXPECT_TRUE(ParseNodeStatus(nullptr).empty());
}

TEST(ProfileStatusTest, CountsTreatOlderGenerationsAsPending) {
  const std::vector<NodeStatusEntry> entries = {
      {.node = "a", .state = NodeProfileState::kInstalled, .observed_generation = 3},
      {.node = "b", .state = NodeProfileState::kInstalled, .observed_generation = 2},
      {.node = "c", .state = NodeProfileState::kFailed, .observed_generation = 3},
      {.node = "d", .state = NodeProfileState::kUnsupported, .observed_generation = 3},
      {.node = "e", .state = NodeProfileState::kPending, .observed_generation = 3},
  };
  EXPECT_EQ(
      CountNodes(entries, 3),
      (NodeCounts{.selected = 5, .installed = 1, .pending = 2, .failed = 1, .unsupported = 1}));
}

TEST(ProfileStatusTest, AddsThisNodesEntryAndKeepsTheOthers) {
  const json before = Profile(4, {{"nodeStatus", {Entry("n2", "Installed", 4)}}});
  const json after =
      MergeProfileStatus(before, "n1", Mine(NodeProfileState::kFailed, 4, "bad"), kNow);
  EXPECT_EQ(after["status"]["nodeStatus"],
            json({Entry("n1", "Failed", 4, "bad"), Entry("n2", "Installed", 4)}));
  EXPECT_EQ(
      after["status"]["nodes"],
      json({{"selected", 2}, {"installed", 1}, {"pending", 0}, {"failed", 1}, {"unsupported", 0}}));
  EXPECT_EQ(after["status"]["observedGeneration"], 4);
  // Everything but status is left as it was, resourceVersion included (the write's precondition).
  json without_status = after;
  without_status.erase("status");
  EXPECT_EQ(without_status, Profile(4));
}

TEST(ProfileStatusTest, ReplacesAndRemovesThisNodesEntry) {
  const json before =
      Profile(2, {{"nodeStatus", {Entry("n1", "Failed", 1, "old"), Entry("n2", "Installed", 2)}}});
  const json replaced =
      MergeProfileStatus(before, "n1", Mine(NodeProfileState::kInstalled, 2, "installed"), kNow);
  EXPECT_EQ(replaced["status"]["nodeStatus"][0], Entry("n1", "Installed", 2, "installed"));
  const json removed = MergeProfileStatus(replaced, "n1", std::nullopt, kNow);
  EXPECT_EQ(removed["status"]["nodeStatus"], json({Entry("n2", "Installed", 2)}));
  EXPECT_EQ(removed["status"]["nodes"]["selected"], 1);
  const json none = MergeProfileStatus(removed, "n2", std::nullopt, kNow);
  EXPECT_FALSE(none["status"].contains("nodeStatus"));
  EXPECT_EQ(none["status"]["nodes"]["selected"], 0);
}

TEST(ProfileStatusTest, MergingTheSameEntryAgainChangesNothing) {
  const json once =
      MergeProfileStatus(Profile(1), "n1", Mine(NodeProfileState::kInstalled, 1), kNow);
  EXPECT_EQ(
      MergeProfileStatus(once, "n1", Mine(NodeProfileState::kInstalled, 1), "2030-01-01T00:00:00Z"),
      once);
}

TEST(ProfileStatusTest, LongMessagesAreCut) {
  const json merged = MergeProfileStatus(
      Profile(1), "n1", Mine(NodeProfileState::kFailed, 1, std::string(5000, 'e')), kNow);
  EXPECT_EQ(merged["status"]["nodeStatus"][0]["message"].get<std::string>().size(),
            kMaxStatusMessageBytes);
}

struct ReadyCase {
  std::string name;
  std::vector<json> entries;  // at generation 2 unless they say otherwise
  std::string status;
  std::string reason;
  std::string message;
};

class ReadyConditionTest : public testing::TestWithParam<ReadyCase> {};

TEST_P(ReadyConditionTest, FollowsTheEntries) {
  const ReadyCase& c = GetParam();
  json before =
      Profile(2, c.entries.empty() ? json(nullptr) : json({{"nodeStatus", json(c.entries)}}));
  // Merging an absent entry for a node not in the list recomputes the derived fields only.
  const json after = MergeProfileStatus(before, "nobody", std::nullopt, kNow);
  const json ready = ReadyOf(after);
  EXPECT_EQ(ready["status"], c.status);
  EXPECT_EQ(ready["reason"], c.reason);
  EXPECT_EQ(ready["message"], c.message);
  EXPECT_EQ(ready["observedGeneration"], 2);
  EXPECT_EQ(ready["lastTransitionTime"], kNow);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ReadyConditionTest,
    testing::Values(
        ReadyCase{"no_nodes",
                  {},
                  "False",
                  "NoNodeSelected",
                  "no node agent reports that the profile selects its node"},
        ReadyCase{"all_installed",
                  {Entry("a", "Installed", 2), Entry("b", "Installed", 2)},
                  "True",
                  "Installed",
                  "installed on 2 of 2 selected nodes"},
        ReadyCase{"installed_and_unsupported",
                  {Entry("a", "Installed", 2), Entry("b", "Unsupported", 2)},
                  "True",
                  "Installed",
                  "installed on 1 of 2 selected nodes; 1 without AppArmor"},
        ReadyCase{"only_unsupported",
                  {Entry("a", "Unsupported", 2)},
                  "False",
                  "Unsupported",
                  "none of the 1 selected nodes supports the profile type (no AppArmor on the "
                  "node)"},
        ReadyCase{"older_generation_pending",
                  {Entry("a", "Installed", 2), Entry("b", "Installed", 1)},
                  "False",
                  "Pending",
                  "not yet installed on 1 of 2 selected nodes"},
        ReadyCase{"failures_named",
                  {Entry("a", "Failed", 2, "parser says no"), Entry("b", "Failed", 2),
                   Entry("c", "Failed", 2), Entry("d", "Failed", 2), Entry("e", "Installed", 2)},
                  "False",
                  "InstallFailed",
                  "failed on 4 of 5 selected nodes: a, b, c and 1 more (a: parser says no)"},
        ReadyCase{"failure_of_an_older_generation_is_pending",
                  {Entry("a", "Failed", 1, "old"), Entry("b", "Installed", 2)},
                  "False",
                  "Pending",
                  "not yet installed on 1 of 2 selected nodes"}),
    [](const auto& info) { return info.param.name; });

TEST(ProfileStatusTest, TransitionTimeChangesOnlyWithTheStatus) {
  const json installed =
      MergeProfileStatus(Profile(1), "n1", Mine(NodeProfileState::kInstalled, 1), kNow);
  ASSERT_EQ(ReadyOf(installed)["status"], "True");
  // Still True with a second node: the time stays, the message follows the counts.
  const json two = MergeProfileStatus(installed, "n2", Mine(NodeProfileState::kInstalled, 1),
                                      "2026-05-01T11:00:00Z");
  EXPECT_EQ(ReadyOf(two)["lastTransitionTime"], kNow);
  EXPECT_EQ(ReadyOf(two)["message"], "installed on 2 of 2 selected nodes");
  const json failed =
      MergeProfileStatus(two, "n2", Mine(NodeProfileState::kFailed, 1), "2026-05-01T12:00:00Z");
  EXPECT_EQ(ReadyOf(failed)["status"], "False");
  EXPECT_EQ(ReadyOf(failed)["lastTransitionTime"], "2026-05-01T12:00:00Z");
}

TEST(ProfileStatusTest, OtherConditionsAreKept) {
  const json other = {{"type", "Audited"},
                      {"status", "True"},
                      {"reason", "Done"},
                      {"message", ""},
                      {"lastTransitionTime", "2020-01-01T00:00:00Z"}};
  const json merged = MergeProfileStatus(Profile(1, {{"conditions", {other}}}), "n1",
                                         Mine(NodeProfileState::kInstalled, 1), kNow);
  ASSERT_EQ(merged["status"]["conditions"].size(), 2u);
  EXPECT_EQ(merged["status"]["conditions"][0], other);
  EXPECT_EQ(merged["status"]["conditions"][1]["type"], "Ready");
}

}  // namespace
}  // namespace csp::agent
