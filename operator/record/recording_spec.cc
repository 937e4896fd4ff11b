#include "csp/record/recording_spec.h"

#include <algorithm>
#include <iterator>

#include "csp/record/recorded_profile.h"

namespace csp::record {

nlohmann::json RecordingSeccomp(const std::vector<std::string>& known_names,
                                const std::vector<std::string>& architectures,
                                const std::string& listener) {
  std::vector<std::string> notified;
  std::vector<std::string> allowed;
  for (const std::string& name : known_names) {
    auto in = [&name](const auto& list) {
      return std::find(std::begin(list), std::end(list), name) != std::end(list);
    };
    const bool always = in(kNotNotifiable) || in(kRuntimeNeeds);
    (always ? allowed : notified).push_back(name);
  }
  constexpr unsigned kEnosys = 38;
  nlohmann::json syscalls = nlohmann::json::array();
  if (!allowed.empty()) syscalls.push_back({{"names", allowed}, {"action", "SCMP_ACT_ALLOW"}});
  if (!notified.empty()) syscalls.push_back({{"names", notified}, {"action", "SCMP_ACT_NOTIFY"}});
  return {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"defaultErrnoRet", kEnosys},
          {"architectures", architectures},
          {"listenerPath", listener},
          {"syscalls", syscalls}};
}

Result<nlohmann::json> RecordingSpec(nlohmann::json spec, const std::filesystem::path& bundle,
                                     const std::vector<std::string>& args,
                                     const nlohmann::json& seccomp) {
  if (!spec.is_object()) return InvalidArgument("config.json: not a JSON object");
  if (!spec.contains("root") || !spec["root"].is_object() || !spec["root"].contains("path") ||
      !spec["root"]["path"].is_string()) {
    return InvalidArgument("config.json: root.path is missing or not a string");
  }
  if (!spec.contains("process") || !spec["process"].is_object()) {
    return InvalidArgument("config.json: process is missing or not an object");
  }
  const std::filesystem::path root = spec["root"]["path"].get<std::string>();
  spec["root"]["path"] = (root.is_absolute() ? root : bundle / root).lexically_normal().string();
  if (!args.empty()) spec["process"]["args"] = args;
  if (!spec["process"].contains("args") || !spec["process"]["args"].is_array() ||
      spec["process"]["args"].empty()) {
    return InvalidArgument("config.json: process.args is empty; give a command");
  }
  spec["process"]["terminal"] = false;
  if (!spec.contains("linux") || !spec["linux"].is_object())
    spec["linux"] = nlohmann::json::object();
  spec["linux"]["seccomp"] = seccomp;
  return spec;
}

}  // namespace csp::record
