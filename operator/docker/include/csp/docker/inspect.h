// `docker inspect` / `podman inspect` output (a JSON array of containers) -> DockerContainers.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "csp/docker/docker_container.h"

namespace csp::docker {

// An array with an object that has `HostConfig` (other elements are errors: an image's inspect
// output has no HostConfig).
bool IsInspectOutput(const nlohmann::json& document);

struct InspectedContainer {
  std::size_t index = 0;
  Result<DockerContainer> container = DockerContainer{};
};

// One entry per element, in order: `Name` (without its leading `/`, else `Id`, else
// `container-<index>`), `HostConfig.Privileged`, `SecurityOpt`, `CapAdd`, `CapDrop`, `Binds`,
// `NetworkMode`, `PidMode`, `IpcMode`, `MaskedPaths` (empty: systempaths=unconfined), `Sysctls`,
// `Mounts` (a target listed in both Binds and Mounts counts once), `Config.User`, `Config.Image`. A
// mistyped field is that element's error, naming it ("[2].HostConfig.CapAdd: expected an array, got
// string").
std::vector<InspectedContainer> ReadInspect(const nlohmann::json& document);

}  // namespace csp::docker
