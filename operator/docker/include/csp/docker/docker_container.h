// One Docker container's settings that the controls judge, whatever input form they came from
// (Compose service, `docker inspect`, `docker run` line), and their pod spec for the engine.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csp/common/result.h"

namespace csp::docker {

inline constexpr std::string_view kApiVersion = "docker.com/v1";
inline constexpr std::string_view kComposeServiceKind = "ComposeService";
inline constexpr std::string_view kContainerKind = "Container";

enum class MountType { kBind, kVolume, kTmpfs };

struct Mount {
  MountType type = MountType::kVolume;
  std::string source = {};  // bind: the host path; volume: its name ("" when anonymous)
  std::string target = {};
  bool read_only = false;
};

struct DockerContainer {
  std::string name = {};
  std::string image = {};
  bool privileged = false;
  std::vector<std::string> security_opt = {};  // as written: "seccomp=unconfined"
  std::vector<std::string> cap_add = {};
  std::vector<std::string> cap_drop = {};
  std::optional<std::string> user = {};  // nullopt or "": unset, the image's USER applies
  std::vector<Mount> mounts = {};
  bool host_network = false;
  bool host_pid = false;
  bool host_ipc = false;
  std::vector<std::pair<std::string, std::string>> sysctls = {};  // {name, value}
};

// The pod spec a Kubernetes user would write for the container (controls.md "Docker and
// Compose"), with Docker's defaults written out: RuntimeDefault seccomp and AppArmor unless an
// option says otherwise. An unknown or malformed security option is an InvalidArgument error
// naming it.
Result<nlohmann::json> PodSpecFromDocker(const DockerContainer& container);

// True for "0", "root", "0:<group>" and "root:<group>".
bool IsRootUser(std::string_view user);

}  // namespace csp::docker
