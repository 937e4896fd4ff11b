#include "csp/docker/inspect.h"

#include <algorithm>

#include "csp/docker/volume_spec.h"
#include "csp/policy/field_errors.h"

namespace csp::docker {
namespace {

using json = nlohmann::json;
using policy::FieldErrors;
using policy::GetField;

const json* Object(const json& parent, std::string_view key, const std::string& path,
                   FieldErrors& errors) {
  const json* v = GetField(parent, key);
  if (v == nullptr) return nullptr;
  if (!policy::ExpectType(*v, json::value_t::object, path, errors)) return nullptr;
  return v;
}

void String(const json* parent, std::string_view key, const std::string& path, FieldErrors& errors,
            std::string& out) {
  if (parent == nullptr) return;
  if (const json* v = GetField(*parent, key);
      v && policy::ExpectType(*v, json::value_t::string, path, errors)) {
    out = v->get<std::string>();
  }
}

void Strings(const json* parent, std::string_view key, const std::string& path, FieldErrors& errors,
             std::vector<std::string>& out) {
  if (parent == nullptr) return;
  const json* v = GetField(*parent, key);
  if (v == nullptr || !policy::ExpectType(*v, json::value_t::array, path, errors)) return;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string item = path + "[" + std::to_string(i) + "]";
    if (policy::ExpectType((*v)[i], json::value_t::string, item, errors)) {
      out.push_back((*v)[i].get<std::string>());
    }
  }
}

void ReadMounts(const json& element, const std::string& path, FieldErrors& errors,
                std::vector<Mount>& out) {
  const json* mounts = GetField(element, "Mounts");
  if (mounts == nullptr || !policy::ExpectType(*mounts, json::value_t::array, path, errors)) return;
  for (std::size_t i = 0; i < mounts->size(); ++i) {
    const std::string item = path + "[" + std::to_string(i) + "]";
    const json& m = (*mounts)[i];
    if (!policy::ExpectType(m, json::value_t::object, item, errors)) continue;
    std::string type, source, name;
    Mount mount;
    String(&m, "Type", item + ".Type", errors, type);
    String(&m, "Source", item + ".Source", errors, source);
    String(&m, "Name", item + ".Name", errors, name);
    String(&m, "Destination", item + ".Destination", errors, mount.target);
    if (const json* rw = GetField(m, "RW");
        rw && policy::ExpectType(*rw, json::value_t::boolean, item + ".RW", errors)) {
      mount.read_only = !rw->get<bool>();
    }
    if (type == "bind") {
      mount.type = MountType::kBind;
      mount.source = ResolveHostPath(source, {});
    } else if (type == "tmpfs") {
      mount.type = MountType::kTmpfs;
    } else {
      mount.source = name;
    }
    out.push_back(std::move(mount));
  }
}

Result<DockerContainer> ReadOne(const json& element, const std::string& path, std::size_t index) {
  FieldErrors errors;
  DockerContainer c;
  if (!policy::ExpectType(element, json::value_t::object, path, errors)) {
    return InvalidArgument(errors.ToString());
  }
  String(&element, "Name", path + ".Name", errors, c.name);
  if (c.name.starts_with('/')) c.name.erase(0, 1);
  if (c.name.empty()) String(&element, "Id", path + ".Id", errors, c.name);
  if (c.name.empty()) c.name = "container-" + std::to_string(index);
  if (!element.contains("HostConfig")) {
    // `docker inspect IMAGE` has Config but no HostConfig: there is no container to judge.
    return InvalidArgument(path + ": no HostConfig: not a container's inspect output");
  }
  const json* host = Object(element, "HostConfig", path + ".HostConfig", errors);
  const json* config = Object(element, "Config", path + ".Config", errors);
  const std::string hp = path + ".HostConfig.";
  if (host != nullptr) {
    if (const json* p = GetField(*host, "Privileged");
        p && policy::ExpectType(*p, json::value_t::boolean, hp + "Privileged", errors)) {
      c.privileged = p->get<bool>();
    }
    Strings(host, "SecurityOpt", hp + "SecurityOpt", errors, c.security_opt);
    // The CLI turns `--security-opt systempaths=unconfined` into empty MaskedPaths (and
    // ReadonlyPaths); null means the daemon's defaults.
    if (const json* masked = GetField(*host, "MaskedPaths");
        masked && policy::ExpectType(*masked, json::value_t::array, hp + "MaskedPaths", errors) &&
        masked->empty()) {
      c.security_opt.push_back("systempaths=unconfined");
    }
    if (const json* sysctls = GetField(*host, "Sysctls");
        sysctls && policy::ExpectType(*sysctls, json::value_t::object, hp + "Sysctls", errors)) {
      for (auto it = sysctls->begin(); it != sysctls->end(); ++it) {
        if (policy::ExpectType(*it, json::value_t::string, hp + "Sysctls." + it.key(), errors)) {
          c.sysctls.emplace_back(it.key(), it->get<std::string>());
        }
      }
    }
    Strings(host, "CapAdd", hp + "CapAdd", errors, c.cap_add);
    Strings(host, "CapDrop", hp + "CapDrop", errors, c.cap_drop);
    std::string mode;
    String(host, "NetworkMode", hp + "NetworkMode", errors, mode);
    c.host_network = mode == "host";
    mode.clear();
    String(host, "PidMode", hp + "PidMode", errors, mode);
    c.host_pid = mode == "host";
    mode.clear();
    String(host, "IpcMode", hp + "IpcMode", errors, mode);
    c.host_ipc = mode == "host";
  }
  ReadMounts(element, path + ".Mounts", errors, c.mounts);
  std::vector<std::string> binds;
  Strings(host, "Binds", hp + "Binds", errors, binds);
  for (std::size_t i = 0; i < binds.size(); ++i) {
    auto mount = ParseShortVolume(binds[i], {});
    if (!mount) {
      errors.Add(hp + "Binds[" + std::to_string(i) + "]", mount.error().message);
      continue;
    }
    const bool listed = std::any_of(c.mounts.begin(), c.mounts.end(),
                                    [&](const Mount& m) { return m.target == mount->target; });
    if (!listed) c.mounts.push_back(std::move(*mount));
  }
  std::string user;
  String(config, "User", path + ".Config.User", errors, user);
  if (!user.empty()) c.user = std::move(user);
  String(config, "Image", path + ".Config.Image", errors, c.image);
  if (!errors.empty()) return InvalidArgument(errors.ToString());
  return c;
}

}  // namespace

bool IsInspectOutput(const json& document) {
  if (!document.is_array() || document.empty()) return false;
  return std::any_of(document.begin(), document.end(),
                     [](const json& e) { return e.is_object() && e.contains("HostConfig"); });
}

std::vector<InspectedContainer> ReadInspect(const json& document) {
  std::vector<InspectedContainer> out;
  for (std::size_t i = 0; i < document.size(); ++i) {
    out.push_back(
        {.index = i, .container = ReadOne(document[i], "[" + std::to_string(i) + "]", i)});
  }
  return out;
}

}  // namespace csp::docker
