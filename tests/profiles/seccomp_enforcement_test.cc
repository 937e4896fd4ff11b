// The rendered profiles under the real kernel: compiled by the real libseccomp from the JSON a
// node gets, loaded into a child process with PR_SET_NO_NEW_PRIVS, and probed with syscalls.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/keyctl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "csp/profiles/default_profiles.h"
#include "csp/profiles/render_target.h"
#include "csp/profiles/security_profile_file.h"
#include "support/seccomp_loader.h"
#include "temp_dir.h"

namespace csp::profiles {
namespace {

using csp::test::TempDir;
using test::Probe;
using test::RunConfined;

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

// 0 when `ret` is not -1, else errno.
int Errno(long ret) { return ret == -1 ? errno : 0; }

int ForkAndWait() {
  const pid_t pid = fork();
  if (pid < 0) return errno;
  if (pid == 0) _exit(0);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

// Raw clone with `flags`; a child that does get created exits at once.
int CloneWith(unsigned long flags) {
  const long ret = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (ret == 0) _exit(0);
  if (ret < 0) return errno;
  int status = 0;
  waitpid(static_cast<pid_t>(ret), &status, 0);
  return 0;
}

int Clone3() {
  struct {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  } args = {};
  args.exit_signal = SIGCHLD;
  const long ret = syscall(SYS_clone3, &args, sizeof args);
  if (ret == 0) _exit(0);
  if (ret < 0) return errno;
  int status = 0;
  waitpid(static_cast<pid_t>(ret), &status, 0);
  return 0;
}

int StartThread() {
  pthread_t thread;
  const int rc = pthread_create(
      &thread, nullptr, [](void*) -> void* { return nullptr; }, nullptr);
  if (rc != 0) return rc;
  return pthread_join(thread, nullptr);
}

int Socket(int family, int type) {
  const int fd = socket(family, type, 0);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

int ReadDevNull() {
  const int fd = open("/dev/null", O_RDWR);
  if (fd < 0) return errno;
  char c;
  const int ret = Errno(read(fd, &c, 1));
  close(fd);
  return ret;
}

int WriteDevNull() {
  const int fd = open("/dev/null", O_WRONLY);
  if (fd < 0) return errno;
  const int ret = Errno(write(fd, "x", 1));
  close(fd);
  return ret;
}

// Probes whose outcome without any filter is something else than EPERM (checked by
// DefaultProbesAreNotEpermWithoutTheFilter), so that an EPERM below can only come from it.
std::vector<Probe> DeniedProbes() {
  return {
      {"unshare(CLONE_NEWUSER)", [] { return Errno(syscall(SYS_unshare, CLONE_NEWUSER)); }},
      {"mount",
       [] {
         return Errno(syscall(SYS_mount, "none", "/nonexistent-csp-mount", "tmpfs", 0, nullptr));
       }},
      {"keyctl",
       [] {
         return Errno(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
       }},
      {"bpf", [] { return Errno(syscall(SYS_bpf, 0, nullptr, 0)); }},
      {"clone(CLONE_NEWNS)", [] { return CloneWith(CLONE_NEWNS); }},
      {"clone(CLONE_NEWNET)", [] { return CloneWith(CLONE_NEWNET); }},
      {"socket(AF_ALG)", [] { return Socket(AF_ALG, SOCK_SEQPACKET); }},
      {"personality(ADDR_NO_RANDOMIZE)",
       [] { return Errno(syscall(SYS_personality, ADDR_NO_RANDOMIZE)); }},
      {"io_uring_setup", [] { return Errno(syscall(SYS_io_uring_setup, 1, nullptr)); }},
      {"userfaultfd",
       [] {
         const long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
         if (fd >= 0) close(static_cast<int>(fd));
         return Errno(fd);
       }},
      {"pivot_root",
       [] { return Errno(syscall(SYS_pivot_root, "/nonexistent-csp-a", "/nonexistent-csp-b")); }},
      {"kexec_load", [] { return Errno(syscall(SYS_kexec_load, 0, 0, nullptr, ~0ul)); }},
      {"setns", [] { return Errno(syscall(SYS_setns, -1, 0)); }},
      {"chroot (CAP_SYS_CHROOT-gated)",
       [] { return Errno(syscall(SYS_chroot, "/nonexistent-csp-root")); }},
  };
}

std::vector<Probe> AllowedProbes() {
  return {
      {"read", [] { return ReadDevNull(); }},
      {"write", [] { return WriteDevNull(); }},
      {"getpid", [] { return syscall(SYS_getpid) > 0 ? 0 : errno; }},
      {"fork", [] { return ForkAndWait(); }},
      // glibc tries clone3 first and falls back to clone on ENOSYS.
      {"pthread_create", [] { return StartThread(); }},
      {"socket(AF_UNIX)", [] { return Socket(AF_UNIX, SOCK_STREAM); }},
      {"socket(AF_INET)", [] { return Socket(AF_INET, SOCK_DGRAM); }},
      {"personality(query)", [] { return Errno(syscall(SYS_personality, 0xffffffff)); }},
  };
}

// This machine, the kernel the probes run under (csp-agent's HostRenderTarget does the same).
RenderTarget ThisMachine() {
  struct utsname uts = {};
  EXPECT_EQ(uname(&uts), 0);
  RenderTarget target{.machine = NormalizeMachine(uts.machine)};
  if (Result<KernelVersion> kernel = ParseKernelVersion(uts.release)) target.kernel = *kernel;
  return target;
}

std::string DefaultProfileJson() {
  Result<RenderedProfile> rendered = RenderDefaultSeccomp(ThisMachine());
  EXPECT_TRUE(rendered) << rendered.error().message;
  return rendered ? rendered->bytes : "";
}

TEST(SeccompEnforcementTest, DefaultProfileDeniesWithEperm) {
  const std::vector<Probe> probes = DeniedProbes();
  test::ConfinedRun run = RunConfined(DefaultProfileJson(), probes);
  ASSERT_EQ(run.error, "");
  ASSERT_EQ(run.results.size(), probes.size());
  for (std::size_t i = 0; i < probes.size(); ++i) {
    EXPECT_EQ(run.results[i], EPERM) << probes[i].name << ": " << std::strerror(run.results[i]);
  }
}

TEST(SeccompEnforcementTest, DefaultProfileAllowsOrdinaryWork) {
  const std::vector<Probe> probes = AllowedProbes();
  test::ConfinedRun run = RunConfined(DefaultProfileJson(), probes);
  ASSERT_EQ(run.error, "");
  ASSERT_EQ(run.results.size(), probes.size());
  for (std::size_t i = 0; i < probes.size(); ++i) {
    EXPECT_EQ(run.results[i], 0) << probes[i].name << ": " << std::strerror(run.results[i]);
  }
}

TEST(SeccompEnforcementTest, DefaultProfileAnswersClone3WithEnosys) {
  test::ConfinedRun run = RunConfined(DefaultProfileJson(), {{"clone3", [] { return Clone3(); }}});
  ASSERT_EQ(run.error, "");
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0], ENOSYS) << std::strerror(run.results[0]);
}

TEST(SeccompEnforcementTest, DefaultProfileBlocksVsockSockets) {
  test::ConfinedRun run = RunConfined(
      DefaultProfileJson(), {{"socket(AF_VSOCK)", [] { return Socket(AF_VSOCK, SOCK_STREAM); }}});
  ASSERT_EQ(run.error, "");
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0], EPERM) << std::strerror(run.results[0]);
}

// The control experiment: the same probes under a filter that allows everything get other
// answers than EPERM, so the EPERMs above come from the default profile. Only probes that are
// harmless when they succeed; those that need root to get past the kernel's own permission
// checks only when root. unshare goes last: it moves the child into a new user namespace.
TEST(SeccompEnforcementTest, DeniedProbesAreNotEpermWithoutTheFilter) {
  std::vector<std::string> harmless = {"keyctl", "setns", "personality(ADDR_NO_RANDOMIZE)"};
  if (geteuid() == 0) {
    for (const char* name : {"mount", "bpf", "clone(CLONE_NEWNS)", "pivot_root"}) {
      harmless.push_back(name);
    }
  }
  harmless.push_back("unshare(CLONE_NEWUSER)");
  std::vector<Probe> probes;
  for (const std::string& name : harmless) {
    for (Probe& probe : DeniedProbes()) {
      if (probe.name == name) probes.push_back(std::move(probe));
    }
  }
  ASSERT_EQ(probes.size(), harmless.size());
  test::ConfinedRun run = RunConfined(R"({"defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_LOG"}]})",
                                      probes);
  ASSERT_EQ(run.error, "");
  ASSERT_EQ(run.results.size(), probes.size());
  for (std::size_t i = 0; i < probes.size(); ++i) {
    EXPECT_NE(run.results[i], EPERM) << probes[i].name;
  }
}

// A custom SecurityProfile, rendered as a node gets it, behaves as its body says.
TEST(SeccompEnforcementTest, CustomProfileBehavesAsItsBodySays) {
  const std::string yaml = R"(apiVersion: containersecurity.dev/v1alpha1
kind: SecurityProfile
metadata: {name: no-mkdir}
spec:
  type: Seccomp
  seccomp:
    defaultAction: SCMP_ACT_ALLOW
    syscalls:
      - names: [mkdir, mkdirat]
        action: SCMP_ACT_ERRNO
      - names: [rmdir]
        action: SCMP_ACT_ERRNO
        errnoRet: 13   # EACCES
      - names: [getpriority]
        action: SCMP_ACT_ERRNO
        errnoRet: 22   # EINVAL, only for PRIO_USER
        args: [{index: 0, value: 2, op: SCMP_CMP_EQ}]
)";
  Result<SecurityProfile> profile = ParseSecurityProfileText(yaml, "no-mkdir.yaml");
  ASSERT_TRUE(profile) << profile.error().message;
  const RenderedProfile rendered = RenderSecurityProfile(*profile);

  TempDir dir;
  const std::string made = (dir.path() / "made").string();
  const std::string existing = (dir.path() / "existing").string();
  ASSERT_EQ(mkdir(existing.c_str(), 0700), 0);
  const std::vector<Probe> probes = {
      {"mkdir", [&] { return Errno(mkdir(made.c_str(), 0700)); }},
      {"rmdir", [&] { return Errno(rmdir(existing.c_str())); }},
      {"getpriority(PRIO_USER)", [] { return Errno(syscall(SYS_getpriority, 2, 0)); }},
      {"getpriority(PRIO_PROCESS)", [] { return Errno(syscall(SYS_getpriority, 0, 0)); }},
      {"getpid", [] { return syscall(SYS_getpid) > 0 ? 0 : errno; }},
  };
  test::ConfinedRun run = RunConfined(rendered.bytes, probes);
  ASSERT_EQ(run.error, "");
  ASSERT_EQ(run.results.size(), probes.size());
  EXPECT_EQ(run.results[0], EPERM) << "mkdir";
  EXPECT_EQ(run.results[1], EACCES) << "rmdir";
  EXPECT_EQ(run.results[2], EINVAL) << "getpriority(PRIO_USER)";
  EXPECT_EQ(run.results[3], 0) << "getpriority(PRIO_PROCESS)";
  EXPECT_EQ(run.results[4], 0) << "getpid";
  EXPECT_FALSE(std::filesystem::exists(made));
  EXPECT_TRUE(std::filesystem::exists(existing));
}

// Names libseccomp does not know are skipped, as runc skips them; only names newer than this
// libseccomp may be among them, never a typo of an old one.
TEST(SeccompEnforcementTest, OnlyNewSyscallsAreUnknownToLibseccomp) {
  test::ConfinedRun run = RunConfined(DefaultProfileJson(), {});
  ASSERT_EQ(run.error, "");
  const std::vector<std::string> newer_than_libseccomp_2_5 = {"getxattrat",
                                                              "listmount",
                                                              "listxattrat",
                                                              "lsm_get_self_attr",
                                                              "lsm_list_modules",
                                                              "lsm_set_self_attr",
                                                              "mseal",
                                                              "removexattrat",
                                                              "riscv_hwprobe",
                                                              "setxattrat",
                                                              "statmount",
                                                              "map_shadow_stack",
                                                              "fchmodat2",
                                                              "futex_wake",
                                                              "futex_wait",
                                                              "futex_requeue",
                                                              "cachestat",
                                                              "set_mempolicy_home_node"};
  for (const std::string& name : run.skipped) {
    EXPECT_NE(std::find(newer_than_libseccomp_2_5.begin(), newer_than_libseccomp_2_5.end(), name),
              newer_than_libseccomp_2_5.end())
        << name << " is unknown to libseccomp: a typo?";
  }
}

}  // namespace
}  // namespace csp::profiles
