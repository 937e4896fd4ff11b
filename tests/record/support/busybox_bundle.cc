#include "support/busybox_bundle.h"

#include <unistd.h>

#include <atomic>
#include <fstream>

namespace csp::record::test {

namespace fs = std::filesystem;

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
