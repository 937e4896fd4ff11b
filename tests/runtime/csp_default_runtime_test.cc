// csp-default seccomp as the runtime enforces it: the profile `csp-agent render` prints, handed
// to runc the way containerd does, in a busybox container run by the real runc. Ordinary work
// succeeds; each blocked call fails with the errno the rendered profile names. The container
// holds every capability this process has, so that the filter alone decides; each probe runs
// unconfined too, and a denied call counts only when the kernel itself would answer otherwise.
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <string_view>

#include "probe_output.h"
#include "runtime_fixture.h"

namespace csp::runtime_test {
namespace {

using csp::test::CommandResult;

// containerd's default capabilities for a container (CRI), plus NET_ADMIN to bring up loopback
// as the CNI loopback plugin does for a Pod.
const std::vector<std::string> kPodCapabilities = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE",  "CAP_NET_ADMIN"};

// Shell, file I/O, fork, pipes, sockets: what any workload does.
constexpr const char* kOrdinaryWork = R"sh(set -e
ip link set lo up
echo hello > /tmp/file && cat /tmp/file
mkdir /tmp/dir && mv /tmp/file /tmp/dir/moved && ls /tmp/dir
echo piped | tr a-z A-Z
sleep 0 & wait $!
echo "subshell $(echo forked)"
sha256sum /bin/busybox > /dev/null && echo read the binary
/probe fork tcp_loopback socket_unix
if unshare -U true 2> /tmp/err; then echo unshare allowed; else cat /tmp/err; fi
echo done
)sh";

class CspDefaultRuntimeTest : public RuntimeTest, public testing::WithParamInterface<bool> {};

TEST_P(CspDefaultRuntimeTest, OrdinaryWorkSucceeds) {
  ContainerSpec spec{.args = {"sh", "-c", kOrdinaryWork},
                     .capabilities = kPodCapabilities,
                     .seccomp = ForRuntime(Render({"csp-default-seccomp"})),
                     .no_new_privileges = GetParam()};
  CommandResult r = bundle_->Run(spec);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out,
            "hello\nmoved\nPIPED\nsubshell forked\nread the binary\n"
            "fork 0\ntcp_loopback 0\nsocket_unix 0\n"
            "unshare: unshare(0x10000000): Operation not permitted\ndone\n");
}

// runc loads the filter before dropping capabilities without no_new_privileges, just before
// execve with it: the profile must let runc finish in both cases.
INSTANTIATE_TEST_SUITE_P(NoNewPrivileges, CspDefaultRuntimeTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "On" : "Off";
                         });

// Every probe, run in one container: syscall_probe.c says what each calls.
constexpr const char* kProbes =
    "fork clone_newuts clone3 unshare_user mount keyctl bpf kexec_load ptrace kcmp "
    "personality_query personality_linux personality_no_aslr chroot io_uring_setup socket_inet "
    "socket_unix socket_alg socket_vsock tcp_loopback getpid_i386 keyctl_i386";

// The syscall a probe makes, for the profile's errno: "socket_alg" calls socket.
std::string SyscallOf(std::string probe) {
  if (probe.ends_with("_i386")) probe.resize(probe.size() - 5);
  if (probe == "fork" || probe == "clone_newuts") return "clone";
  for (const std::string call : {"unshare", "personality", "socket"}) {
    if (probe.starts_with(call + "_")) return call;
  }
  return probe;
}

// A probe's answer; a failure when the probe printed none.
int Answer(const std::map<std::string, int>& answers, const std::string& probe) {
  auto it = answers.find(probe);
  if (it != answers.end()) return it->second;
  ADD_FAILURE() << "no answer for probe " << probe;
  return -1;
}

// Runs every probe in one container: unconfined (seccomp empty) or under the profile.
std::map<std::string, int> RunProbes(BusyboxBundle& bundle,
                                     const std::optional<nlohmann::json>& seccomp) {
  const std::string command = std::string("ip link set lo up && /probe ") + kProbes;
  CommandResult r = bundle.Run(
      {.args = {"sh", "-c", command}, .capabilities = HeldCapabilities(), .seccomp = seccomp});
  EXPECT_EQ(r.exit_code, 0) << r;
  return ParseProbeOutput(r.out);
}

struct Case {
  std::string name;
  std::vector<std::string> render_flags;  // after `csp-agent render csp-default-seccomp`
  std::vector<std::string> allowed;       // probes answered by the kernel as if unconfined
  std::vector<std::string> denied;        // probes failing with the profile's errno
  std::string machine = {};               // only on this machine (uname -m); empty: any
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class CspDefaultProbeTest : public RuntimeTest, public testing::WithParamInterface<Case> {};

TEST_P(CspDefaultProbeTest, FilterDecides) {
  const Case& c = GetParam();
  utsname host{};
  uname(&host);
  if (!c.machine.empty() && c.machine != host.machine) {
    GTEST_SKIP() << "only on " << c.machine << "; this machine is " << host.machine;
  }
  std::vector<std::string> args = {"csp-default-seccomp"};
  args.insert(args.end(), c.render_flags.begin(), c.render_flags.end());
  const nlohmann::json profile = ForRuntime(Render(args));
  const std::map<std::string, int> unconfined = RunProbes(*bundle_, std::nullopt);
  const std::map<std::string, int> confined = RunProbes(*bundle_, profile);
  const std::string_view probes = kProbes;
  ASSERT_EQ(unconfined.size(), std::count(probes.begin(), probes.end(), ' ') + 1u);
  ASSERT_EQ(confined.size(), unconfined.size());
  for (const std::string& probe : c.allowed) {
    EXPECT_EQ(Answer(confined, probe), Answer(unconfined, probe))
        << probe << " should reach the kernel";
  }
  for (const std::string& probe : c.denied) {
    std::optional<int> want = ProfileErrno(profile, SyscallOf(probe));
    ASSERT_TRUE(want) << probe << ": the profile has no errno for " << SyscallOf(probe);
    EXPECT_EQ(Answer(confined, probe), *want) << probe << " should be stopped by the filter";
    EXPECT_NE(Answer(unconfined, probe), *want)
        << probe << ": the kernel itself answers " << *want << ", so this probe cannot tell";
  }
}

const std::vector<std::string> kAlwaysAllowed = {
    "fork", "personality_query", "personality_linux", "socket_inet", "socket_unix", "tcp_loopback"};

std::vector<std::string> With(std::vector<std::string> base, std::vector<std::string> more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

INSTANTIATE_TEST_SUITE_P(
    Renderings, CspDefaultProbeTest,
    testing::Values(
        // As the agent installs it: this machine's architecture and kernel, no capability.
        Case{"Installed",
             {},
             With(kAlwaysAllowed, {"ptrace"}),
             {"clone_newuts", "clone3", "unshare_user", "mount", "keyctl", "bpf", "kexec_load",
              "kcmp", "personality_no_aslr", "chroot", "io_uring_setup", "socket_alg",
              "socket_vsock"}},
        // Kernels before 4.8 let a tracer bypass seccomp: no ptrace there.
        Case{"KernelBefore48", {"--kernel", "4.4"}, kAlwaysAllowed, {"ptrace"}},
        Case{"CapSysPtrace",
             {"--cap", "SYS_PTRACE"},
             With(kAlwaysAllowed, {"ptrace", "kcmp"}),
             {"mount", "chroot"}},
        Case{"CapSysAdmin",
             {"--cap", "SYS_ADMIN"},
             With(kAlwaysAllowed, {"clone_newuts", "clone3", "unshare_user", "mount", "bpf"}),
             {"keyctl", "kexec_load", "io_uring_setup", "chroot", "socket_alg"}},
        Case{"CapSysChroot",
             {"--cap", "SYS_CHROOT"},
             With(kAlwaysAllowed, {"chroot"}),
             {"mount", "bpf"}},
        Case{"CapBpf", {"--cap", "BPF"}, With(kAlwaysAllowed, {"bpf"}), {"mount", "kcmp"}},
        // The compat ABI: 32-bit x86 calls (int 0x80) of an x86_64 host meet the same rules,
        // because the profile lists SCMP_ARCH_X86 (without it, such a call is killed by SIGSYS).
        Case{"I386Abi", {}, {"getpid_i386"}, {"keyctl_i386"}, "x86_64"},
        // Never allowed, whatever the container holds.
        Case{"CapSysBootAndSysAdmin",
             {"--cap", "SYS_BOOT", "--cap", "SYS_ADMIN"},
             kAlwaysAllowed,
             {"kexec_load", "keyctl", "io_uring_setup"}}),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace csp::runtime_test
