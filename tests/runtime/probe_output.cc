#include "probe_output.h"

#include <algorithm>
#include <cerrno>
#include <sstream>

namespace csp::runtime_test {

std::map<std::string, int> ParseProbeOutput(const std::string& out) {
  std::map<std::string, int> results;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name;
    int error = 0;
    if (fields >> name >> error && fields.eof()) results[name] = error;
  }
  return results;
}

std::optional<int> ProfileErrno(const nlohmann::json& linux_seccomp, const std::string& syscall) {
  auto errno_of = [](const nlohmann::json& object, const char* key) {
    return object.contains(key) ? object.at(key).get<int>() : EPERM;
  };
  for (const nlohmann::json& rule : linux_seccomp.value("syscalls", nlohmann::json::array())) {
    if (rule.contains("args") || !rule.contains("names")) continue;
    const nlohmann::json& names = rule.at("names");
    if (std::find(names.begin(), names.end(), syscall) == names.end()) continue;
    if (rule.value("action", "") != "SCMP_ACT_ERRNO") return std::nullopt;
    return errno_of(rule, "errnoRet");
  }
  if (linux_seccomp.value("defaultAction", "") != "SCMP_ACT_ERRNO") return std::nullopt;
  return errno_of(linux_seccomp, "defaultErrnoRet");
}

}  // namespace csp::runtime_test
