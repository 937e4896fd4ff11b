#include "busybox_bundle.h"

#include <elf.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

namespace csp::runtime_test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBusybox = "/bin/busybox";

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

// True for an ELF executable without a program interpreter: it runs in a root filesystem that
// holds no C library (Debian's `busybox` package installs a dynamic /bin/busybox instead).
bool IsStaticElf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr header{};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof header)) return false;
  if (std::string(reinterpret_cast<char*>(header.e_ident), 4) != ELFMAG) return false;
  if (header.e_ident[EI_CLASS] != ELFCLASS64) return false;
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr program{};
    in.seekg(static_cast<std::streamoff>(header.e_phoff + i * header.e_phentsize));
    if (!in.read(reinterpret_cast<char*>(&program), sizeof program)) return false;
    if (program.p_type == PT_INTERP) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> RuncUnavailable() {
  if (geteuid() != 0) return "runc runs containers as root only; run this test as root";
  if (csp::test::Run({"runc", "--version"}).exit_code != 0) {
    return "runc is not installed (apt-get install runc)";
  }
  if (!IsStaticElf(kBusybox)) {
    return std::string(kBusybox) + " is missing or not static (apt-get install busybox-static)";
  }
  return std::nullopt;
}

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
  std::error_code ec;
  for (const char* dir : {"bin", "proc", "dev", "sys", "run", "tmp", "etc"}) {
    fs::create_directories(rootfs / dir, ec);
  }
  fs::copy_file(kBusybox, rootfs / "bin/busybox", ec);
  if (ec) return Internal(std::string("copying ") + kBusybox + ": " + ec.message());
  fs::copy_file(CSP_SYSCALL_PROBE_PATH, rootfs / "probe", ec);
  if (ec) return Internal(std::string("copying the probe: ") + ec.message());
  csp::test::CommandResult applets = csp::test::Run({kBusybox, "--list"});
  if (applets.exit_code != 0) return Internal("busybox --list failed: " + applets.err);
  std::istringstream names(applets.out);
  for (std::string name; std::getline(names, name);) {
    if (name.empty() || name == "busybox") continue;
    fs::create_symlink("busybox", rootfs / "bin" / name, ec);
  }
  if (!fs::exists(rootfs / "bin/sh")) return Internal("busybox has no sh applet");
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
