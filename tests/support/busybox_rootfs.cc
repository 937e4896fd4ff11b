#include "busybox_rootfs.h"

#include <elf.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "subprocess.h"

namespace csp::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBusybox = "/bin/busybox";

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
  if (Run({"runc", "--version"}).exit_code != 0) {
    return "runc is not installed (apt-get install runc)";
  }
  if (!IsStaticElf(kBusybox)) {
    return std::string(kBusybox) + " is missing or not static (apt-get install busybox-static)";
  }
  return std::nullopt;
}

std::string MakeBusyboxRootfs(const fs::path& dir) {
  std::error_code ec;
  for (const char* sub : {"bin", "proc", "dev", "sys", "run", "tmp", "etc"}) {
    fs::create_directories(dir / sub, ec);
  }
  fs::copy_file(kBusybox, dir / "bin/busybox", fs::copy_options::overwrite_existing, ec);
  if (ec) return std::string("copying ") + kBusybox + ": " + ec.message();
  const CommandResult applets = Run({kBusybox, "--list"});
  if (applets.exit_code != 0) return "busybox --list failed: " + applets.err;
  std::istringstream names(applets.out);
  for (std::string name; std::getline(names, name);) {
    if (name.empty() || name == "busybox") continue;
    fs::create_symlink("busybox", dir / "bin" / name, ec);
  }
  if (!fs::exists(dir / "bin/sh")) return "busybox has no sh applet";
  return "";
}

}  // namespace csp::test
