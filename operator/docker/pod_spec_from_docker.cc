#include <cctype>
#include <charconv>
#include <cstdint>

#include "csp/docker/docker_container.h"

namespace csp::docker {
namespace {

using json = nlohmann::json;

// "key=value" or, Docker's older spelling, "key:value"; the first separator splits.
std::pair<std::string_view, std::optional<std::string_view>> SplitOption(std::string_view opt) {
  std::size_t at = opt.find('=');
  if (at == std::string_view::npos) at = opt.find(':');
  if (at == std::string_view::npos) return {opt, std::nullopt};
  return {opt.substr(0, at), opt.substr(at + 1)};
}

json Profile(std::string_view value, std::string_view runtime_default_name) {
  if (value == "unconfined") return {{"type", "Unconfined"}};
  if (value == runtime_default_name) return {{"type", "RuntimeDefault"}};
  // `docker inspect` holds a seccomp file's contents, which the CLI sent in its place.
  if (value.starts_with('{')) return {{"type", "Localhost"}, {"localhostProfile", "<inline>"}};
  return {{"type", "Localhost"}, {"localhostProfile", value}};
}

std::optional<bool> ParseBool(std::string_view v) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return std::nullopt;
}

// Applies one --security-opt to the container's securityContext.
Status ApplySecurityOption(std::string_view opt, json& sc) {
  auto [key, value] = SplitOption(opt);
  auto bad = [&](std::string_view why) {
    return InvalidArgument("security option \"" + std::string(opt) + "\": " + std::string(why));
  };
  if (key == "no-new-privileges") {
    std::optional<bool> on = value ? ParseBool(*value) : true;
    if (!on) return bad("expected true or false");
    sc["allowPrivilegeEscalation"] = !*on;
    return {};
  }
  if (!value) return bad("expected KEY=VALUE");
  if (key == "seccomp") {
    if (value->empty()) return bad("no profile");
    sc["seccompProfile"] = Profile(*value, "builtin");
  } else if (key == "apparmor") {
    if (value->empty()) return bad("no profile");
    sc["appArmorProfile"] = Profile(*value, "docker-default");
  } else if (key == "systempaths") {
    if (*value != "unconfined") return bad("expected systempaths=unconfined");
    sc["procMount"] = "Unmasked";
  } else if (key == "unmask") {  // podman: unmask=ALL or paths
    if (!value->empty()) sc["procMount"] = "Unmasked";
  } else if (key == "label") {
    if (*value == "disable") {
      sc["seLinuxOptions"]["type"] = "spc_t";  // what Docker runs an unlabeled container as
      return {};
    }
    if (*value == "nested") return {};  // podman: allows nested SELinux, no label change
    auto [field, v] = SplitOption(*value);
    static constexpr std::pair<std::string_view, std::string_view> kFields[] = {
        {"type", "type"}, {"user", "user"}, {"role", "role"}, {"level", "level"}};
    for (const auto& [name, k8s] : kFields) {
      if (field == name && v) {
        sc["seLinuxOptions"][std::string(k8s)] = *v;
        return {};
      }
    }
    if (field == "filetype" && v) return {};  // podman: the files' label, not the process's
    return bad("expected label=type:, user:, role:, level:, or disable");
  } else if (key == "mask" || key == "proc-opts") {
    return {};  // podman: masking more paths, /proc mount options: nothing any rule judges
  } else {
    return bad("unknown option");
  }
  return {};
}

// Docker compares capability names case-insensitively with an optional CAP_ prefix and stores
// them as CAP_X (so `docker inspect` shows CAP_SYS_ADMIN for `--cap-add sys_admin`); written
// in Kubernetes' spelling (SYS_ADMIN), every form gives literalNames the same names.
json KubernetesCapabilities(const std::vector<std::string>& names) {
  json out = json::array();
  for (std::string name : names) {
    for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (name.starts_with("CAP_")) name.erase(0, 4);
    out.push_back(std::move(name));
  }
  return out;
}

json UserFields(std::string_view user) {
  const std::string_view uid = user.substr(0, user.find(':'));
  if (IsRootUser(user)) return {{"runAsUser", 0}};
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(uid.data(), uid.data() + uid.size(), n);
  if (ec == std::errc() && end == uid.data() + uid.size()) return {{"runAsUser", n}};
  return {{"runAsNonRoot", true}};  // a name other than root, taken at its word
}

}  // namespace

bool IsRootUser(std::string_view user) {
  const std::string_view uid = user.substr(0, user.find(':'));
  return uid == "0" || uid == "root";
}

Result<json> PodSpecFromDocker(const DockerContainer& c) {
  json sc = {{"seccompProfile", {{"type", "RuntimeDefault"}}},
             {"appArmorProfile", {{"type", "RuntimeDefault"}}}};
  if (c.privileged) sc["privileged"] = true;
  bool labeled = false;
  for (const std::string& opt : c.security_opt) {
    if (Status s = ApplySecurityOption(opt, sc); !s) return s.error();
    labeled |= SplitOption(opt).first == "label";
  }
  // The daemon's rule (generateSecurityOpt): without a label option of its own, a privileged
  // container, or one sharing the host's PID or IPC namespace, runs with label=disable.
  if (!labeled && (c.privileged || c.host_pid || c.host_ipc)) {
    sc["seLinuxOptions"]["type"] = "spc_t";
  }
  if (!c.cap_add.empty()) sc["capabilities"]["add"] = KubernetesCapabilities(c.cap_add);
  if (!c.cap_drop.empty()) sc["capabilities"]["drop"] = KubernetesCapabilities(c.cap_drop);
  if (c.user && !c.user->empty()) sc.update(UserFields(*c.user));
  json container = {{"name", c.name}, {"securityContext", std::move(sc)}};
  if (!c.image.empty()) container["image"] = c.image;
  json volumes = json::array();
  json mounts = json::array();
  for (std::size_t i = 0; i < c.mounts.size(); ++i) {
    const Mount& m = c.mounts[i];
    // Named after the mount as Docker spells it, so that messages point at it.
    const std::string name = m.source.empty() ? m.target : m.source + ":" + m.target;
    json volume = {{"name", name}};
    switch (m.type) {
      case MountType::kBind:
        volume["hostPath"] = {{"path", m.source}};
        break;
      case MountType::kVolume:
        volume["persistentVolumeClaim"] = {{"claimName", m.source}};
        break;
      case MountType::kTmpfs:
        volume["emptyDir"] = {{"medium", "Memory"}};
        break;
    }
    volumes.push_back(std::move(volume));
    mounts.push_back({{"name", name}, {"mountPath", m.target}, {"readOnly", m.read_only}});
  }
  container["volumeMounts"] = std::move(mounts);
  json spec = {{"containers", json::array({std::move(container)})},
               {"volumes", std::move(volumes)}};
  if (!c.sysctls.empty()) {
    json sysctls = json::array();
    for (const auto& [name, value] : c.sysctls)
      sysctls.push_back({{"name", name}, {"value", value}});
    spec["securityContext"]["sysctls"] = std::move(sysctls);
  }
  if (c.host_network) spec["hostNetwork"] = true;
  if (c.host_pid) spec["hostPID"] = true;
  if (c.host_ipc) spec["hostIPC"] = true;
  return spec;
}

}  // namespace csp::docker
