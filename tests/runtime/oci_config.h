// config.json of an OCI bundle the way containerd's CRI plugin writes it for a Pod's container
// (containerd's populateDefaultUnixSpec plus the CRI defaults): its namespaces, mounts, masked
// and read-only paths, with the fields a test varies taken from ContainerSpec.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace csp::runtime_test {

struct ContainerSpec {
  std::vector<std::string> args = {};
  // Bounding, effective and permitted set, e.g. "CAP_SYS_ADMIN".
  std::vector<std::string> capabilities = {};
  // linux.seccomp as the runtime gets it; none runs the container unconfined.
  std::optional<nlohmann::json> seccomp = {};
  // allowPrivilegeEscalation: false. Decides when runc loads the filter: with it, just before
  // the container's execve; without it, before runc drops capabilities and changes user, so the
  // profile must allow those calls too.
  bool no_new_privileges = false;
  std::string apparmor_profile = {};  // empty: none
};

// The root filesystem is "rootfs", read-only (readOnlyRootFilesystem); /tmp is a fresh tmpfs.
nlohmann::json OciConfig(const ContainerSpec& spec);

}  // namespace csp::runtime_test
