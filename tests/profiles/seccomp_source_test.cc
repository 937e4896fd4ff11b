#include "csp/profiles/seccomp_source.h"

#include <gtest/gtest.h>

namespace csp::profiles {
namespace {

// A small source in the default profile's format, as JSON (the YAML reader's output).
const char* kSource = R"({
  "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
  "architectures": {"x86_64": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                    "s390x": ["SCMP_ARCH_S390X"]},
  "syscalls": [
    {"comment": "always", "names": ["write", "read"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
     "when": {"notCaps": ["CAP_SYS_ADMIN"], "notArches": ["s390x"]}},
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 1, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
     "when": {"notCaps": ["CAP_SYS_ADMIN"], "arches": ["s390x"]}},
    {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "when": {"arches": ["x86_64"]}},
    {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "when": {"minKernel": "4.8"}},
    {"names": ["mount", "clone", "read"], "action": "SCMP_ACT_ALLOW",
     "when": {"caps": ["CAP_SYS_ADMIN"]}},
    {"names": ["kcmp"], "action": "SCMP_ACT_ALLOW",
     "when": {"caps": ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]}}
  ]})";

SeccompSource Source() {
  Result<SeccompSource> source = ParseSeccompSource(nlohmann::json::parse(kSource), "test.yaml");
  EXPECT_TRUE(source) << source.error().message;
  return source ? *source : SeccompSource{};
}

SeccompProfile Render(const RenderTarget& target) {
  Result<SeccompProfile> profile = RenderSeccompSource(Source(), target);
  EXPECT_TRUE(profile) << profile.error().message;
  return profile ? *profile : SeccompProfile{};
}

std::vector<std::string> Names(const SeccompProfile& p, std::size_t i) {
  return i < p.syscalls.size() ? p.syscalls[i].names : std::vector<std::string>{"<missing>"};
}

const KernelVersion kNewKernel{6, 1};

TEST(SeccompSourceTest, NoCapsOnX86) {
  SeccompProfile p = Render({.machine = "x86_64", .kernel = kNewKernel});
  EXPECT_EQ(p.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(p.default_errno_ret, 1u);
  EXPECT_EQ(p.architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  ASSERT_EQ(p.syscalls.size(), 2u);
  // Unconditional, arch and kernel rules merged, names sorted.
  EXPECT_EQ(Names(p, 0), (std::vector<std::string>{"arch_prctl", "ptrace", "read", "write"}));
  EXPECT_EQ(Names(p, 1), (std::vector<std::string>{"clone"}));
  EXPECT_EQ(p.syscalls[1].args[0].index, 0u);
}

TEST(SeccompSourceTest, S390ComparesTheSecondArgument) {
  SeccompProfile p = Render({.machine = "s390x", .kernel = kNewKernel});
  ASSERT_EQ(p.syscalls.size(), 2u);
  EXPECT_EQ(Names(p, 0), (std::vector<std::string>{"ptrace", "read", "write"}));
  EXPECT_EQ(p.syscalls[1].args[0].index, 1u);
}

TEST(SeccompSourceTest, CapabilityUnlocksAndReplacesTheMaskedClone) {
  SeccompProfile p =
      Render({.machine = "x86_64", .kernel = kNewKernel, .capabilities = {"CAP_SYS_ADMIN"}});
  ASSERT_EQ(p.syscalls.size(), 1u);
  EXPECT_EQ(Names(p, 0),
            (std::vector<std::string>{"arch_prctl", "clone", "mount", "ptrace", "read", "write"}));
}

TEST(SeccompSourceTest, AllListedCapsAreNeeded) {
  SeccompProfile one =
      Render({.machine = "x86_64", .kernel = kNewKernel, .capabilities = {"CAP_SYS_PTRACE"}});
  EXPECT_EQ(Names(one, 0), (std::vector<std::string>{"arch_prctl", "ptrace", "read", "write"}));
  SeccompProfile both = Render({.machine = "x86_64",
                                .kernel = kNewKernel,
                                .capabilities = {"CAP_SYS_PTRACE", "CAP_SYS_ADMIN"}});
  EXPECT_EQ(Names(both, 0), (std::vector<std::string>{"arch_prctl", "clone", "kcmp", "mount",
                                                      "ptrace", "read", "write"}));
}

TEST(SeccompSourceTest, KernelRulesNeedAKnownNewEnoughKernel) {
  EXPECT_EQ(Names(Render({.machine = "x86_64", .kernel = KernelVersion{4, 7}}), 0),
            (std::vector<std::string>{"arch_prctl", "read", "write"}));
  EXPECT_EQ(Names(Render({.machine = "x86_64", .kernel = KernelVersion{4, 8}}), 0),
            (std::vector<std::string>{"arch_prctl", "ptrace", "read", "write"}));
  EXPECT_EQ(Names(Render({.machine = "x86_64"}), 0),
            (std::vector<std::string>{"arch_prctl", "read", "write"}));
}

TEST(SeccompSourceTest, UnknownMachineListsTheKnownOnes) {
  Result<SeccompProfile> p = RenderSeccompSource(Source(), {.machine = "sparc64"});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message, "architecture \"sparc64\" is not supported (known: s390x, x86_64)");
}

struct BadSource {
  const char* label;
  const char* replace_syscalls;  // the source's syscalls list
  const char* message;
};

const BadSource kBadSources[] = {
    {"unknown_when_key",
     R"([{"names": ["read"], "action": "SCMP_ACT_ALLOW", "when": {"kernel": "4.8"}}])",
     "test.yaml: syscalls[0].when.kernel: unknown field (known: arches, notArches, caps, "
     "notCaps, minKernel)"},
    {"unknown_machine",
     R"([{"names": ["read"], "action": "SCMP_ACT_ALLOW", "when": {"arches": ["amd64"]}}])",
     "test.yaml: syscalls[0].when.arches[0]: \"amd64\" is not a machine listed in architectures"},
    {"unknown_cap",
     R"([{"names": ["read"], "action": "SCMP_ACT_ALLOW", "when": {"caps": ["SYS_ADMIN"]}}])",
     "test.yaml: syscalls[0].when.caps[0]: \"SYS_ADMIN\" is not a capability (CAP_*)"},
    {"bad_kernel",
     R"([{"names": ["read"], "action": "SCMP_ACT_ALLOW", "when": {"minKernel": "four"}}])",
     "test.yaml: syscalls[0].when.minKernel: \"four\" is not a kernel version (MAJOR.MINOR...)"},
    {"bad_action", R"([{"names": ["read"], "action": "ALLOW"}])",
     "test.yaml: syscalls[0].action: \"ALLOW\" is not a seccomp action (one of SCMP_ACT_KILL, "
     "SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, "
     "SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG)"},
};

class SeccompSourceInvalidTest : public testing::TestWithParam<BadSource> {};

TEST_P(SeccompSourceInvalidTest, NamesFileAndField) {
  nlohmann::json source = nlohmann::json::parse(kSource);
  source["syscalls"] = nlohmann::json::parse(GetParam().replace_syscalls);
  Result<SeccompSource> parsed = ParseSeccompSource(source, "test.yaml");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Sources, SeccompSourceInvalidTest, testing::ValuesIn(kBadSources),
                         [](const auto& info) { return std::string(info.param.label); });

}  // namespace
}  // namespace csp::profiles
