#include "busybox_bundle.h"

#include <unistd.h>

#include <atomic>
#include <fstream>

#include "csp/profiles/seccomp_vocabulary.h"

namespace csp::runtime_test {

namespace fs = std::filesystem;

std::vector<std::string> HeldCapabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  unsigned long long bounding = 0;
  while (std::getline(status, line)) {
    if (line.starts_with("CapBnd:")) bounding = std::stoull(line.substr(7), nullptr, 16);
  }
  std::vector<std::string> names;
  const std::span<const std::string_view> known = csp::profiles::CapabilityNames();
  for (std::size_t bit = 0; bit < known.size(); ++bit) {
    if (bounding & (1ULL << bit)) names.emplace_back(known[bit]);
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
