#include "csp/agent/node_profile_state.h"

#include <gtest/gtest.h>

namespace csp::agent {
namespace {

struct StateCase {
  NodeProfileState state;
  std::string_view name;
  std::string_view result;
};

class NodeProfileStateTest : public testing::TestWithParam<StateCase> {};

TEST_P(NodeProfileStateTest, NamesAndReportResults) {
  EXPECT_EQ(NodeProfileStateName(GetParam().state), GetParam().name);
  EXPECT_EQ(ParseNodeProfileState(GetParam().name), GetParam().state);
  EXPECT_EQ(ReportResultOf(GetParam().state), GetParam().result);
}

INSTANTIATE_TEST_SUITE_P(
    States, NodeProfileStateTest,
    testing::Values(StateCase{NodeProfileState::kInstalled, "Installed", "pass"},
                    StateCase{NodeProfileState::kPending, "Pending", "warn"},
                    StateCase{NodeProfileState::kFailed, "Failed", "fail"},
                    StateCase{NodeProfileState::kUnsupported, "Unsupported", "skip"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(NodeProfileStateTest, UnknownNamesAreRefused) {
  EXPECT_EQ(ParseNodeProfileState("installed"), std::nullopt);
  EXPECT_EQ(ParseNodeProfileState(""), std::nullopt);
  EXPECT_EQ(NodeProfileStateNames().size(), 4u);
}

TEST(NodeProfileStateTest, InstallStatesMapToNodeStates) {
  EXPECT_EQ(NodeStateOf(InstallState::kInstalled), NodeProfileState::kInstalled);
  EXPECT_EQ(NodeStateOf(InstallState::kUnchanged), NodeProfileState::kInstalled);
  EXPECT_EQ(NodeStateOf(InstallState::kFailed), NodeProfileState::kFailed);
  EXPECT_EQ(NodeStateOf(InstallState::kUnsupported), NodeProfileState::kUnsupported);
}

TEST(TruncateMessageTest, KeepsShortMessagesAndCutsLongOnesAtACharacter) {
  EXPECT_EQ(TruncateMessage("short", 10), "short");
  EXPECT_EQ(TruncateMessage("0123456789", 10), "0123456789");
  EXPECT_EQ(TruncateMessage("0123456789abcdef", 10), "0123 [...]");
  // "é" is two bytes (C3 A9); a cut between them would leave invalid UTF-8.
  const std::string accented = "abé" + std::string(20, 'x');
  const std::string cut = TruncateMessage(accented, 9);
  EXPECT_EQ(cut, "ab [...]");
  EXPECT_LE(cut.size(), 9u);
  EXPECT_EQ(TruncateMessage(std::string(5000, 'y')).size(), kMaxStatusMessageBytes);
}

// Status and report messages are JSON strings: bytes that are not UTF-8 become U+FFFD (found by
// tests/fuzz/node_report_fuzzer), before the cut, so that the bound still holds.
TEST(TruncateMessageTest, ReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(TruncateMessage("a\xFF!"), "a\xEF\xBF\xBD!");
  EXPECT_EQ(TruncateMessage("tab\t, \xC3\xA9, newline\n"), "tab\t, \xC3\xA9, newline\n");
  EXPECT_LE(TruncateMessage(std::string(2000, '\xFF')).size(), kMaxStatusMessageBytes);
}

}  // namespace
}  // namespace csp::agent
