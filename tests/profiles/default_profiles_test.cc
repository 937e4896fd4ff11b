// The shipped csp-default profiles: what the rendered seccomp JSON allows and denies on each
// architecture, for each capability set, and that nothing Docker-only reaches the node.
#include "csp/profiles/default_profiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "csp/profiles/apparmor_policy.h"
#include "csp/profiles/seccomp_profile.h"

namespace csp::profiles {
namespace {

const KernelVersion kKernel{6, 1};

SeccompProfile RenderDefault(const RenderTarget& target) {
  Result<RenderedProfile> rendered = RenderDefaultSeccomp(target);
  EXPECT_TRUE(rendered) << rendered.error().message;
  if (!rendered) return {};
  EXPECT_EQ(rendered->kind, ProfileKind::kSeccomp);
  EXPECT_EQ(rendered->name, "csp-default");
  Result<SeccompProfile> parsed =
      ParseSeccompProfile(nlohmann::json::parse(rendered->bytes), "rendered");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : SeccompProfile{};
}

// Names allowed without any argument condition.
std::set<std::string> UnconditionallyAllowed(const SeccompProfile& p) {
  std::set<std::string> out;
  for (const SeccompRule& rule : p.syscalls) {
    if (rule.action == "SCMP_ACT_ALLOW" && rule.args.empty()) {
      out.insert(rule.names.begin(), rule.names.end());
    }
  }
  return out;
}

// Every name any rule mentions.
std::set<std::string> Mentioned(const SeccompProfile& p) {
  std::set<std::string> out;
  for (const SeccompRule& rule : p.syscalls) out.insert(rule.names.begin(), rule.names.end());
  return out;
}

const SeccompRule* RuleFor(const SeccompProfile& p, const std::string& name) {
  for (const SeccompRule& rule : p.syscalls) {
    if (std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end()) return &rule;
  }
  return nullptr;
}

struct ArchCase {
  const char* machine;
  std::vector<std::string> architectures;
  unsigned clone_flags_index;
  const char* arch_specific;  // a syscall allowed only there
};

const ArchCase kArches[] = {
    {"x86_64", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}, 0, "arch_prctl"},
    {"aarch64", {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}, 0, "set_tls"},
    {"armv7l", {"SCMP_ARCH_ARM"}, 0, "cacheflush"},
    {"ppc64le", {"SCMP_ARCH_PPC64LE"}, 0, "swapcontext"},
    {"s390x", {"SCMP_ARCH_S390X", "SCMP_ARCH_S390"}, 1, "s390_runtime_instr"},
    {"riscv64", {"SCMP_ARCH_RISCV64"}, 0, "riscv_flush_icache"},
    {"loongarch64", {"SCMP_ARCH_LOONGARCH64"}, 0, nullptr},
};

class DefaultSeccompArchTest : public testing::TestWithParam<ArchCase> {};

TEST_P(DefaultSeccompArchTest, RendersForTheArchitecture) {
  const ArchCase& c = GetParam();
  SeccompProfile p = RenderDefault({.machine = c.machine, .kernel = kKernel});
  EXPECT_EQ(p.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(p.default_errno_ret, 1u);
  EXPECT_EQ(p.architectures, c.architectures);

  const SeccompRule* clone = RuleFor(p, "clone");
  ASSERT_NE(clone, nullptr);
  EXPECT_EQ(clone->action, "SCMP_ACT_ALLOW");
  ASSERT_EQ(clone->args.size(), 1u);
  EXPECT_EQ(clone->args[0], (SeccompArg{.index = c.clone_flags_index,
                                        .value = 0x7E020000,
                                        .value_two = 0,
                                        .op = "SCMP_CMP_MASKED_EQ"}));
  const std::set<std::string> allowed = UnconditionallyAllowed(p);
  if (c.arch_specific != nullptr) {
    EXPECT_TRUE(allowed.contains(c.arch_specific));
  }
  // Arch-specific names of the other architectures stay out.
  for (const ArchCase& other : kArches) {
    if (other.arch_specific != nullptr && std::string(other.machine) != c.machine &&
        !(std::string(c.machine) == "aarch64" && std::string(other.machine) == "armv7l") &&
        !(std::string(c.machine) == "armv7l" && std::string(other.machine) == "aarch64")) {
      EXPECT_FALSE(allowed.contains(other.arch_specific)) << other.arch_specific;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Machines, DefaultSeccompArchTest, testing::ValuesIn(kArches),
                         [](const auto& info) { return std::string(info.param.machine); });

TEST(DefaultSeccompTest, AcceptsKubernetesArchNames) {
  Result<RenderedProfile> amd64 = RenderDefaultSeccomp({.machine = NormalizeMachine("amd64")});
  Result<RenderedProfile> x86 = RenderDefaultSeccomp({.machine = "x86_64"});
  ASSERT_TRUE(amd64 && x86);
  EXPECT_EQ(amd64->bytes, x86->bytes);
  Result<RenderedProfile> unknown = RenderDefaultSeccomp({.machine = "sparc64"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message,
            "architecture \"sparc64\" is not supported (known: aarch64, armv7l, loongarch64, "
            "ppc64le, riscv64, s390x, x86_64)");
}

// The list and the runtimes' never-allowed list: in no rule at all, whatever the caps.
TEST(DefaultSeccompTest, NeverAllowsKernelWideSyscalls) {
  const std::vector<std::string> never = {
      "keyctl",       "add_key",         "request_key",    "pivot_root",     "swapon",
      "swapoff",      "userfaultfd",     "io_uring_setup", "io_uring_enter", "io_uring_register",
      "kexec_load",   "kexec_file_load", "nfsservctl",     "uselib",         "ustat",
      "sysfs",        "_sysctl",         "vm86",           "vm86old",        "create_module",
      "query_module", "get_kernel_syms"};
  RenderTarget all_caps{.machine = "x86_64", .kernel = kKernel};
  for (std::string_view cap : {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_MODULE", "CAP_SYS_BOOT",
                               "CAP_SYS_TIME", "CAP_BPF", "CAP_PERFMON", "CAP_SYS_RAWIO"}) {
    all_caps.capabilities.insert(std::string(cap));
  }
  for (const RenderTarget& target :
       {RenderTarget{.machine = "x86_64", .kernel = kKernel}, all_caps}) {
    const std::set<std::string> mentioned = Mentioned(RenderDefault(target));
    for (const std::string& name : never) {
      EXPECT_FALSE(mentioned.contains(name)) << name;
    }
  }
}

// Rendered for containers without extra capabilities, every capability-gated syscall is left
// to the default action (EPERM): none of them may appear in any rule.
TEST(DefaultSeccompTest, CapabilityGatedSyscallsAreDeniedWithoutCapabilities) {
  const std::vector<std::string> gated = {"mount",
                                          "umount",
                                          "umount2",
                                          "unshare",
                                          "setns",
                                          "bpf",
                                          "fsopen",
                                          "fsconfig",
                                          "fsmount",
                                          "fspick",
                                          "move_mount",
                                          "open_tree",
                                          "mount_setattr",
                                          "perf_event_open",
                                          "quotactl",
                                          "quotactl_fd",
                                          "sethostname",
                                          "setdomainname",
                                          "syslog",
                                          "fanotify_init",
                                          "lookup_dcookie",
                                          "open_by_handle_at",
                                          "reboot",
                                          "chroot",
                                          "init_module",
                                          "finit_module",
                                          "delete_module",
                                          "acct",
                                          "kcmp",
                                          "pidfd_getfd",
                                          "process_madvise",
                                          "iopl",
                                          "ioperm",
                                          "settimeofday",
                                          "stime",
                                          "clock_settime",
                                          "clock_settime64",
                                          "vhangup",
                                          "get_mempolicy",
                                          "mbind",
                                          "set_mempolicy",
                                          "lsm_get_self_attr"};
  const SeccompProfile p = RenderDefault({.machine = "x86_64", .kernel = kKernel});
  const std::set<std::string> mentioned = Mentioned(p);
  for (const std::string& name : gated) {
    EXPECT_FALSE(mentioned.contains(name)) << name;
  }
  // clone3 is answered ENOSYS, not allowed.
  const SeccompRule* clone3 = RuleFor(p, "clone3");
  ASSERT_NE(clone3, nullptr);
  EXPECT_EQ(clone3->action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(clone3->errno_ret, 38u);
}

TEST(DefaultSeccompTest, CapabilitiesUnlockTheirSyscalls) {
  const SeccompProfile admin =
      RenderDefault({.machine = "x86_64", .kernel = kKernel, .capabilities = {"CAP_SYS_ADMIN"}});
  const std::set<std::string> allowed = UnconditionallyAllowed(admin);
  for (const char* name : {"mount", "unshare", "setns", "bpf", "clone", "clone3"}) {
    EXPECT_TRUE(allowed.contains(name)) << name;
  }
  const SeccompProfile ptrace =
      RenderDefault({.machine = "x86_64", .kernel = kKernel, .capabilities = {"CAP_SYS_PTRACE"}});
  EXPECT_TRUE(UnconditionallyAllowed(ptrace).contains("kcmp"));
  EXPECT_FALSE(UnconditionallyAllowed(ptrace).contains("mount"));
}

TEST(DefaultSeccompTest, PtraceNeedsKernel48) {
  EXPECT_TRUE(UnconditionallyAllowed(RenderDefault({.machine = "x86_64", .kernel = kKernel}))
                  .contains("ptrace"));
  EXPECT_FALSE(
      UnconditionallyAllowed(RenderDefault({.machine = "x86_64", .kernel = KernelVersion{4, 4}}))
          .contains("ptrace"));
}

TEST(DefaultSeccompTest, SocketAndPersonalityAreFilteredByArgument) {
  const SeccompProfile p = RenderDefault({.machine = "x86_64", .kernel = kKernel});
  std::vector<SeccompArg> socket_args, personality_args;
  for (const SeccompRule& rule : p.syscalls) {
    if (rule.names == std::vector<std::string>{"socket"}) socket_args.push_back(rule.args.at(0));
    if (rule.names == std::vector<std::string>{"personality"}) {
      personality_args.push_back(rule.args.at(0));
    }
  }
  EXPECT_EQ(socket_args, (std::vector<SeccompArg>{{.index = 0, .value = 38, .op = "SCMP_CMP_LT"},
                                                  {.index = 0, .value = 39, .op = "SCMP_CMP_EQ"},
                                                  {.index = 0, .value = 40, .op = "SCMP_CMP_GT"}}));
  std::vector<std::uint64_t> personalities;
  for (const SeccompArg& arg : personality_args) personalities.push_back(arg.value);
  EXPECT_EQ(personalities, (std::vector<std::uint64_t>{0, 8, 0x20000, 0x20008, 0xffffffff}));
  EXPECT_FALSE(UnconditionallyAllowed(p).contains("socket"));
  EXPECT_FALSE(UnconditionallyAllowed(p).contains("personality"));
}

// containerd drops unknown keys: none may be in the file, or a conditional rule would become
// an unconditional allow.
TEST(DefaultSeccompTest, OnlyOciKeysReachTheNode) {
  Result<RenderedProfile> rendered = RenderDefaultSeccomp({.machine = "x86_64", .kernel = kKernel});
  ASSERT_TRUE(rendered);
  const nlohmann::json json = nlohmann::json::parse(rendered->bytes);
  for (const auto& [key, unused] : json.items()) {
    EXPECT_TRUE(key == "defaultAction" || key == "defaultErrnoRet" || key == "architectures" ||
                key == "syscalls")
        << key;
  }
  for (const auto& rule : json["syscalls"]) {
    for (const auto& [key, unused] : rule.items()) {
      EXPECT_TRUE(key == "names" || key == "action" || key == "errnoRet" || key == "args") << key;
    }
  }
  for (const char* docker_only :
       {"archMap", "includes", "excludes", "minKernel", "comment", "when"}) {
    EXPECT_EQ(rendered->bytes.find(docker_only), std::string::npos) << docker_only;
  }
}

TEST(DefaultAppArmorTest, DeclaresCspDefault) {
  const RenderedProfile apparmor = RenderDefaultAppArmor();
  EXPECT_EQ(apparmor.kind, ProfileKind::kAppArmor);
  EXPECT_EQ(apparmor.name, "csp-default");
  EXPECT_EQ(apparmor.bytes, DefaultAppArmorText());
  EXPECT_TRUE(CheckAppArmorPolicy("csp-default", apparmor.bytes, "csp-default.apparmor"));
  for (const char* rule : {"deny mount,", "deny /proc/sysrq-trigger rwklx,",
                           "deny /sys/kernel/security/** rwklx,", "deny network alg,"}) {
    EXPECT_NE(apparmor.bytes.find(rule), std::string::npos) << rule;
  }
  // Self-contained: no includes, so that it compiles the same on every node.
  EXPECT_EQ(apparmor.bytes.find("#include"), std::string::npos);
  EXPECT_EQ(apparmor.bytes.find("include <"), std::string::npos);
}

TEST(DefaultProfilesTest, BothKinds) {
  Result<std::vector<RenderedProfile>> all = RenderDefaultProfiles({.machine = "aarch64"});
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].kind, ProfileKind::kSeccomp);
  EXPECT_EQ((*all)[1].kind, ProfileKind::kAppArmor);
}

}  // namespace
}  // namespace csp::profiles
