#include "support/busybox_bundle.h"

#include <elf.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

namespace csp::record::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBusybox = "/bin/busybox";

// Whether `path` is an ELF executable without a program interpreter (statically linked).
bool IsStaticElf(const char* path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr header = {};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof(header))) return false;
  if (std::string(reinterpret_cast<char*>(header.e_ident), 4) != ELFMAG) return false;
  if (header.e_ident[EI_CLASS] != ELFCLASS64) return false;
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr program = {};
    in.seekg(header.e_phoff + i * header.e_phentsize);
    if (!in.read(reinterpret_cast<char*>(&program), sizeof(program))) return false;
    if (program.p_type == PT_INTERP) return false;
  }
  return true;
}

}  // namespace

std::string RuncUnavailable() {
  if (geteuid() != 0) return "runc tests need root";
  if (csp::test::Run({"runc", "--version"}).exit_code != 0) return "runc is not in PATH";
  if (!IsStaticElf(kBusybox)) {
    return std::string(kBusybox) + " is missing or not static (apt-get install busybox-static)";
  }
  return "";
}

std::string MakeBusyboxRootfs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir / "bin", ec);
  fs::copy_file(kBusybox, dir / "bin/busybox", fs::copy_options::overwrite_existing, ec);
  if (ec) return "copy busybox: " + ec.message();
  const csp::test::CommandResult list = csp::test::Run({kBusybox, "--list"});
  if (list.exit_code != 0) return "busybox --list failed";
  std::istringstream applets(list.out);
  for (std::string applet; std::getline(applets, applet);) {
    if (applet.empty() || applet == "busybox") continue;
    fs::create_symlink("busybox", dir / "bin" / applet, ec);
  }
  return "";
}

std::string WriteBundle(const fs::path& bundle, const fs::path& rootfs,
                        const std::vector<std::string>& args,
                        const std::optional<nlohmann::json>& seccomp,
                        const nlohmann::json& mounts) {
  fs::create_directories(bundle);
  std::error_code ec;
  fs::remove(bundle / "config.json", ec);
  const csp::test::CommandResult spec = csp::test::Run({"runc", "spec", "--bundle", bundle});
  if (spec.exit_code != 0) return "runc spec: " + spec.err;
  std::ifstream in(bundle / "config.json");
  nlohmann::json config = nlohmann::json::parse(in, nullptr, false);
  if (config.is_discarded()) return "runc spec wrote no JSON";
  config["root"]["path"] = fs::absolute(rootfs).string();
  config["process"]["args"] = args;
  config["process"]["terminal"] = false;
  if (seccomp) config["linux"]["seccomp"] = *seccomp;
  for (const nlohmann::json& mount : mounts) config["mounts"].push_back(mount);
  std::ofstream(bundle / "config.json") << config.dump(2);
  return "";
}

csp::test::CommandResult RunBundle(const fs::path& bundle, int timeout_seconds) {
  static std::atomic<int> counter{0};
  const std::string id =
      "csp-record-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  csp::test::CommandResult r =
      csp::test::Run({"runc", "run", "--bundle", bundle.string(), id}, "", timeout_seconds);
  csp::test::Run({"runc", "delete", "--force", id});
  return r;
}

}  // namespace csp::record::test
