#include "busybox_bundle.h"

#include <unistd.h>

#include <atomic>
#include <fstream>

namespace csp::runtime_test {
namespace {

namespace fs = std::filesystem;

// Names of capability bits 0..40 (linux/capability.h).
constexpr const char* kCapabilityNames[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};

}  // namespace

std::vector<std::string> HeldCapabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  unsigned long long bounding = 0;
  while (std::getline(status, line)) {
    if (line.starts_with("CapBnd:")) bounding = std::stoull(line.substr(7), nullptr, 16);
  }
  std::vector<std::string> names;
  for (std::size_t bit = 0; bit < std::size(kCapabilityNames); ++bit) {
    if (bounding & (1ULL << bit)) names.push_back(std::string("CAP_") + kCapabilityNames[bit]);
  }
  return names;
}

Result<std::unique_ptr<BusyboxBundle>> BusyboxBundle::Create() {
  std::unique_ptr<BusyboxBundle> bundle(new BusyboxBundle());
  const fs::path rootfs = bundle->path() / "rootfs";
  if (std::string error = csp::test::MakeBusyboxRootfs(rootfs); !error.empty()) {
    return Internal(error);
  }
  std::error_code ec;
  fs::copy_file(CSP_SYSCALL_PROBE_PATH, rootfs / "probe", ec);
  if (ec) return Internal(std::string("copying the probe: ") + ec.message());
  return bundle;
}

csp::test::CommandResult BusyboxBundle::Run(const ContainerSpec& spec) {
  static std::atomic<int> next_id{0};
  const std::string id =
      "csp-runtime-test-" + std::to_string(getpid()) + "-" + std::to_string(next_id++);
  std::ofstream(path() / "config.json") << OciConfig(spec).dump(2);
  csp::test::CommandResult result =
      csp::test::Run({"runc", "run", "--bundle", path().string(), id}, "", 60);
  csp::test::Run({"runc", "delete", "--force", id});
  return result;
}

}  // namespace csp::runtime_test
