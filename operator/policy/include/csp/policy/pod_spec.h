// The parts of a pod spec the controls read. Strings are views into the JSON document the
// spec was parsed from, which must outlive the PodSpec: parsing copies nothing it can avoid,
// because evaluation runs for every workload on every change.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace csp::policy {

enum class ContainerType { kInit, kRegular, kEphemeral };

// seccompProfile / appArmorProfile: {type, localhostProfile}.
struct Profile {
  std::string_view type = {};
  std::optional<std::string_view> localhost_profile = {};
};

struct Capabilities {
  std::vector<std::string_view> add = {};
  std::vector<std::string_view> drop = {};
};

struct SecurityContext {
  std::optional<bool> privileged = {};
  std::optional<bool> run_as_non_root = {};
  std::optional<std::int64_t> run_as_user = {};
  std::optional<Profile> seccomp = {};
  std::optional<Profile> app_armor = {};
  std::optional<Capabilities> capabilities = {};
};

struct VolumeMount {
  std::string_view name = {};
  bool read_only = false;
};

struct Container {
  std::string_view name = {};
  ContainerType type = ContainerType::kRegular;
  std::string_view image = {};
  std::optional<SecurityContext> security_context = {};
  std::vector<VolumeMount> volume_mounts = {};
};

struct Volume {
  std::string_view name = {};
  std::optional<std::string_view> host_path = {};  // set for hostPath volumes only
};

struct PodSpec {
  // Init containers first, then containers, then ephemeral containers (the order of messages).
  std::vector<Container> containers = {};
  SecurityContext pod_security_context = {};  // privileged/capabilities are never set here
  std::vector<Volume> volumes = {};
  std::string_view os_name = {};
  // Where the pod may run (node-aware rules 2 and 3): spec.nodeName ("" when unset) and
  // spec.nodeSelector as {key, value} pairs.
  std::string_view node_name = {};
  std::vector<std::pair<std::string_view, std::string_view>> node_selector = {};
  // container.apparmor.security.beta.kubernetes.io/<container> annotations of the pod
  // (template): {container name, value}.
  std::vector<std::pair<std::string_view, std::string_view>> app_armor_annotations = {};
};

// "container \"app\"", "initContainer \"setup\"", "ephemeralContainer \"debug\"".
std::string ContainerLabel(const Container& c);

template <typename Fn>
void ForEachContainer(const PodSpec& pod, Fn&& fn) {
  for (const Container& c : pod.containers) fn(c);
}

}  // namespace csp::policy
