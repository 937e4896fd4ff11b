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

struct SeLinuxOptions {
  std::string_view type = {};  // "" when unset
  std::string_view user = {};
  std::string_view role = {};
  std::string_view level = {};
};

struct Sysctl {
  std::string_view name = {};
  std::string_view value = {};
};

struct SecurityContext {
  std::optional<bool> privileged = {};
  std::optional<bool> run_as_non_root = {};
  std::optional<std::int64_t> run_as_user = {};
  std::optional<Profile> seccomp = {};
  std::optional<Profile> app_armor = {};
  std::optional<Capabilities> capabilities = {};
  std::optional<bool> allow_privilege_escalation = {};  // containers only
  std::optional<std::string_view> proc_mount = {};      // containers only
  std::optional<SeLinuxOptions> se_linux = {};
  std::optional<bool> windows_host_process = {};  // windowsOptions.hostProcess
  std::vector<Sysctl> sysctls = {};               // the pod's only
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
  std::vector<std::int64_t> host_ports = {};  // ports[*].hostPort, where set and non-zero
  // Probes' and lifecycle handlers' httpGet/tcpSocket `host`, where set and non-empty:
  // {"livenessProbe.httpGet.host", "10.0.0.1"}.
  std::vector<std::pair<std::string, std::string_view>> probe_hosts = {};
};

struct Volume {
  std::string_view name = {};
  std::optional<std::string_view> host_path = {};  // set for hostPath volumes only
  // The volume source: the one field besides "name" ("hostPath", "configMap", ...); "" when
  // none. A volume naming several (invalid for the API server) has the first in key order.
  std::string_view type = {};
};

struct PodSpec {
  // Init containers first, then containers, then ephemeral containers (the order of messages).
  std::vector<Container> containers = {};
  SecurityContext pod_security_context = {};  // privileged/capabilities are never set here
  std::vector<Volume> volumes = {};
  std::string_view os_name = {};
  bool host_network = false;
  bool host_pid = false;
  bool host_ipc = false;
  std::optional<bool> host_users = {};  // spec.hostUsers; false: a user namespace
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
