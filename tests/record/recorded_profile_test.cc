#include "csp/record/recorded_profile.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "csp/profiles/security_profile_file.h"

namespace csp::record {
namespace {

using profiles::SecurityProfile;

SecurityProfile Recorded(const std::string& name, std::set<std::string> names,
                         std::vector<std::string> arches = {"SCMP_ARCH_X86_64"}) {
  return BuildRecordedProfile({{arches.front(), std::move(names)}},
                              {.name = name, .architectures = arches});
}

std::vector<std::string> AllowedNames(const SecurityProfile& p) {
  return p.seccomp->syscalls.at(0).names;
}

bool Allows(const SecurityProfile& p, std::string_view name) {
  const std::vector<std::string>& names = p.seccomp->syscalls.at(0).names;
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(RecordedProfileTest, AllowsWhatWasSeenPlusRuncsNeedsAndDeniesTheRestWithEperm) {
  const SecurityProfile p = BuildRecordedProfile(
      {{"SCMP_ARCH_X86_64", {"read", "execve"}}, {"SCMP_ARCH_X86", {"socketcall"}}},
      {.name = "app", .architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}});
  EXPECT_EQ(p.name, "app");
  ASSERT_TRUE(p.seccomp);
  EXPECT_EQ(p.seccomp->default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(p.seccomp->default_errno_ret, 1u);
  EXPECT_EQ(p.seccomp->architectures,
            (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  ASSERT_EQ(p.seccomp->syscalls.size(), 1u);
  EXPECT_EQ(p.seccomp->syscalls[0].action, "SCMP_ACT_ALLOW");
  EXPECT_TRUE(p.seccomp->syscalls[0].args.empty());
  for (const char* seen : {"execve", "read", "socketcall"}) EXPECT_TRUE(Allows(p, seen)) << seen;
  for (std::string_view name : kNotNotifiable) EXPECT_TRUE(Allows(p, name)) << name;
  for (std::string_view name : kRuntimeNeeds) EXPECT_TRUE(Allows(p, name)) << name;
  EXPECT_FALSE(Allows(p, "mkdir"));
  const std::vector<std::string> names = AllowedNames(p);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.size(),
            3 + std::size(kNotNotifiable) + std::size(kRuntimeNeeds));  // no duplicates
}

TEST(RecordedProfileTest, ArchitecturesDefaultToThoseSeen) {
  const SecurityProfile p =
      BuildRecordedProfile({{"SCMP_ARCH_X86", {"read"}}, {"SCMP_ARCH_X86_64", {"read"}}}, {});
  EXPECT_EQ(p.seccomp->architectures,
            (std::vector<std::string>{"SCMP_ARCH_X86", "SCMP_ARCH_X86_64"}));
}

TEST(RecordedProfileTest, YamlReadsBackAsTheSameSecurityProfile) {
  std::set<std::string> many;
  for (int i = 0; i < 200; ++i) many.insert("syscall_number_" + std::to_string(i));
  SecurityProfile p = Recorded("app", many, {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
  const std::string yaml = SecurityProfileYaml(p, "line one\n\nline three");
  EXPECT_TRUE(yaml.starts_with("# line one\n#\n# line three\napiVersion: "));
  std::istringstream lines(yaml);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
  Result<SecurityProfile> back = profiles::ParseSecurityProfileText(yaml, "recorded.yaml");
  ASSERT_TRUE(back) << back.error().message << "\n" << yaml;
  EXPECT_EQ(back->name, "app");
  EXPECT_EQ(back->seccomp, p.seccomp);
}

TEST(RecordedProfileTest, YamlKeepsConditionsAndErrnos) {
  SecurityProfile p = Recorded("app", {"read"});
  p.node_selector = {{"kubernetes.io/os", "linux"}};
  p.seccomp->syscalls.push_back({.names = {"clone3"}, .action = "SCMP_ACT_ERRNO", .errno_ret = 38});
  p.seccomp->syscalls.push_back(
      {.names = {"socket"},
       .action = "SCMP_ACT_ALLOW",
       .args = {{.index = 0, .value = 2, .value_two = 0, .op = "SCMP_CMP_EQ"}}});
  Result<SecurityProfile> back =
      profiles::ParseSecurityProfileText(SecurityProfileYaml(p, ""), "recorded.yaml");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->seccomp, p.seccomp);
  EXPECT_EQ(back->node_selector, p.node_selector);
}

TEST(RecordedProfileTest, MergeUnitesNamesAndArchitecturesInOrder) {
  Result<SecurityProfile> merged = MergeRecordedProfiles(
      {Recorded("a", {"read", "openat"}, {"SCMP_ARCH_X86_64"}),
       Recorded("b", {"read", "mkdir"}, {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"})},
      "");
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->name, "a");
  for (const char* name : {"mkdir", "openat", "read", "write"}) {
    EXPECT_TRUE(Allows(*merged, name)) << name;
  }
  EXPECT_EQ(merged->seccomp->architectures,
            (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  Result<SecurityProfile> renamed = MergeRecordedProfiles({Recorded("a", {"read"})}, "both");
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->name, "both");
}

TEST(RecordedProfileTest, MergeRefusesWhatIsNotARecordedProfile) {
  SecurityProfile conditional = Recorded("c", {"read"});
  conditional.seccomp->syscalls[0].args.push_back({.index = 0, .value = 1, .op = "SCMP_CMP_EQ"});
  SecurityProfile denying = Recorded("d", {"read"});
  denying.seccomp->syscalls.push_back({.names = {"mount"}, .action = "SCMP_ACT_ERRNO"});
  SecurityProfile allowing = Recorded("e", {"read"});
  allowing.seccomp->default_action = "SCMP_ACT_ALLOW";
  SecurityProfile apparmor{.name = "f", .kind = profiles::ProfileKind::kAppArmor};
  for (const SecurityProfile& bad : {conditional, denying, allowing, apparmor}) {
    Result<SecurityProfile> merged = MergeRecordedProfiles({Recorded("a", {"read"}), bad}, "");
    ASSERT_FALSE(merged) << bad.name;
    EXPECT_NE(merged.error().message.find("SecurityProfile " + bad.name), std::string::npos)
        << merged.error().message;
  }
  EXPECT_FALSE(MergeRecordedProfiles({}, "x"));
}

}  // namespace
}  // namespace csp::record
