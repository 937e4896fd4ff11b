#include "csp/record/profile_diff.h"

#include <gtest/gtest.h>

namespace csp::record {
namespace {

using profiles::SeccompProfile;
using V = std::vector<std::string>;

SeccompProfile Baseline() {
  return {.default_action = "SCMP_ACT_ERRNO",
          .default_errno_ret = 1,
          .syscalls = {{.names = {"read", "write", "close"}, .action = "SCMP_ACT_ALLOW"},
                       {.names = {"clone"},
                        .action = "SCMP_ACT_ALLOW",
                        .args = {{.index = 0, .value = 1, .op = "SCMP_CMP_MASKED_EQ"}}},
                       {.names = {"clone3"}, .action = "SCMP_ACT_ERRNO", .errno_ret = 38}}};
}

SeccompProfile Recorded(V names) {
  return {.default_action = "SCMP_ACT_ERRNO",
          .syscalls = {{.names = std::move(names), .action = "SCMP_ACT_ALLOW"}}};
}

TEST(ProfileDiffTest, VerdictsFollowTheFirstRuleThenTheDefault) {
  const SeccompProfile b = Baseline();
  EXPECT_EQ(VerdictFor(b, "read"), Verdict::kAllowed);
  EXPECT_EQ(VerdictFor(b, "clone"), Verdict::kConditional);
  EXPECT_EQ(VerdictFor(b, "clone3"), Verdict::kBlocked);
  EXPECT_EQ(VerdictFor(b, "mount"), Verdict::kBlocked);
  SeccompProfile open = b;
  open.default_action = "SCMP_ACT_ALLOW";
  EXPECT_EQ(VerdictFor(open, "mount"), Verdict::kAllowed);
  EXPECT_EQ(VerdictFor(open, "clone3"), Verdict::kBlocked);
}

TEST(ProfileDiffTest, SortsEachNameIntoItsSide) {
  const SeccompDiff d =
      DiffProfiles(Recorded({"write", "read", "clone", "clone3", "mount"}), Baseline());
  EXPECT_EQ(d.blocked_by_baseline, (V{"clone3", "mount"}));
  EXPECT_EQ(d.conditional_in_baseline, (V{"clone"}));
  EXPECT_EQ(d.blocked_by_recording, (V{"close"}));
}

TEST(ProfileDiffTest, SameAllowListHasNoDifference) {
  const SeccompDiff d =
      DiffProfiles(Recorded({"read", "write", "close"}), Recorded({"close", "read", "write"}));
  EXPECT_TRUE(d.blocked_by_baseline.empty());
  EXPECT_TRUE(d.conditional_in_baseline.empty());
  EXPECT_TRUE(d.blocked_by_recording.empty());
  EXPECT_EQ(FormatDiff(d, "csp-default"), "the recording allows what csp-default allows\n");
}

TEST(ProfileDiffTest, FormatNamesCountsAndWrapsAt100Columns) {
  SeccompDiff d;
  for (int i = 0; i < 40; ++i) d.blocked_by_recording.push_back("name_" + std::to_string(i));
  d.blocked_by_baseline = {"mount"};
  const std::string text = FormatDiff(d, "csp-default");
  EXPECT_NE(text.find("allowed by the recording, blocked by csp-default (1):\n  mount\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("allowed by csp-default, blocked by the recording (40):\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("only for some arguments"), std::string::npos);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
}

}  // namespace
}  // namespace csp::record
