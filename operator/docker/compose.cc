#include "csp/docker/compose.h"

#include <algorithm>

#include "csp/policy/field_errors.h"

namespace csp::docker {
namespace {

using json = nlohmann::json;
using policy::JsonTypeName;

// Interpolates every string of `value` in place (keys are names, not interpolated).
Status InterpolateAll(json& value, const Lookup& lookup) {
  if (value.is_string()) {
    CSP_TRY(std::string s, Interpolate(value.get_ref<const std::string&>(), lookup));
    value = std::move(s);
  } else if (value.is_structured()) {
    for (json& child : value) {
      if (Status s = InterpolateAll(child, lookup); !s) return s;
    }
  }
  return {};
}

// Reads one service's fields, collecting every mistyped one.
class ServiceReader {
 public:
  ServiceReader(std::string path, const PathContext& paths)
      : path_(std::move(path)), paths_(paths) {}

  void Read(const json& service, DockerContainer& c) {
    for (auto it = service.begin(); it != service.end(); ++it) {
      const std::string& key = it.key();
      const json& v = *it;
      if (v.is_null()) continue;
      if (key == "privileged") {
        ReadBool(key, v, c.privileged);
      } else if (key == "security_opt") {
        ReadStrings(key, v, c.security_opt);
      } else if (key == "cap_add") {
        ReadStrings(key, v, c.cap_add);
      } else if (key == "cap_drop") {
        ReadStrings(key, v, c.cap_drop);
      } else if (key == "user") {
        if (v.is_number_integer()) {
          c.user = std::to_string(v.get<std::int64_t>());
        } else if (std::string s; ReadString(key, v, s)) {
          c.user = std::move(s);
        }
      } else if (key == "image") {
        ReadString(key, v, c.image);
      } else if (key == "volumes") {
        ReadVolumes(v, c);
      } else if (key == "network_mode") {
        std::string s;
        if (ReadString(key, v, s)) c.host_network = s == "host";
      } else if (key == "pid") {
        std::string s;
        if (ReadString(key, v, s)) c.host_pid = s == "host";
      } else if (key == "ipc") {
        std::string s;
        if (ReadString(key, v, s)) c.host_ipc = s == "host";
      } else if (key == "sysctls") {
        ReadSysctls(v, c);
      } else if (key == "extends") {
        Add(key, "extends is not supported; judge the output of `docker compose config`");
      }
    }
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  void Add(std::string_view field, std::string_view message) {
    errors_.push_back(path_ + "." + std::string(field) + ": " + std::string(message));
  }
  void Expected(std::string_view field, std::string_view what, const json& v) {
    Add(field, "expected " + std::string(what) + ", got " + std::string(JsonTypeName(v)));
  }

  bool ReadString(std::string_view field, const json& v, std::string& out) {
    if (!v.is_string()) {
      Expected(field, "a string", v);
      return false;
    }
    out = v.get<std::string>();
    return true;
  }

  // A boolean, or after interpolation its text ("true", "false").
  void ReadBool(std::string_view field, const json& v, bool& out) {
    if (v.is_boolean()) {
      out = v.get<bool>();
    } else if (v.is_string() && (v == "true" || v == "false")) {
      out = v == "true";
    } else {
      Expected(field, "a boolean", v);
    }
  }

  void ReadStrings(std::string_view field, const json& v, std::vector<std::string>& out) {
    if (!v.is_array()) {
      Expected(field, "an array", v);
      return;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) {
        Expected(std::string(field) + "[" + std::to_string(i) + "]", "a string", v[i]);
        continue;
      }
      out.push_back(v[i].get<std::string>());
    }
  }

  // A mapping (`net.core.somaxconn: 1024`) or a list of NAME=VALUE strings.
  void ReadSysctls(const json& v, DockerContainer& c) {
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it->is_string()) {
          c.sysctls.emplace_back(it.key(), it->get<std::string>());
        } else if (it->is_number() || it->is_boolean()) {
          c.sysctls.emplace_back(it.key(), it->dump());
        } else {
          Expected("sysctls." + it.key(), "a scalar", *it);
        }
      }
      return;
    }
    std::vector<std::string> entries;
    if (!v.is_array()) {
      Expected("sysctls", "a mapping or an array", v);
      return;
    }
    ReadStrings("sysctls", v, entries);
    for (const std::string& e : entries) {
      const std::size_t eq = e.find('=');
      if (eq == std::string::npos) {
        Add("sysctls", "\"" + e + "\" is not NAME=VALUE");
        continue;
      }
      c.sysctls.emplace_back(e.substr(0, eq), e.substr(eq + 1));
    }
  }

  void ReadVolumes(const json& v, DockerContainer& c) {
    if (!v.is_array()) {
      Expected("volumes", "an array", v);
      return;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string field = "volumes[" + std::to_string(i) + "]";
      const json& entry = v[i];
      if (entry.is_string()) {
        auto mount = ParseShortVolume(entry.get_ref<const std::string&>(), paths_);
        if (!mount) {
          Add(field, mount.error().message);
        } else {
          c.mounts.push_back(std::move(*mount));
        }
      } else if (entry.is_object()) {
        ReadLongVolume(field, entry, c);
      } else {
        Expected(field, "a string or a mapping", entry);
      }
    }
  }

  void ReadLongVolume(const std::string& field, const json& entry, DockerContainer& c) {
    Mount m;
    std::string type = "volume", source;
    const json* t = policy::GetField(entry, "type");
    const json* src = policy::GetField(entry, "source");
    const json* target = policy::GetField(entry, "target");
    const json* read_only = policy::GetField(entry, "read_only");
    if (t != nullptr && !ReadString(field + ".type", *t, type)) return;
    if (src != nullptr && !ReadString(field + ".source", *src, source)) return;
    if (target == nullptr || !ReadString(field + ".target", *target, m.target)) {
      if (target == nullptr) Add(field, "no target");
      return;
    }
    if (read_only != nullptr) ReadBool(field + ".read_only", *read_only, m.read_only);
    if (type == "bind") {
      if (source.empty()) {
        Add(field, "a bind mount needs a source");
        return;
      }
      m.type = MountType::kBind;
      m.source = ResolveHostPath(source, paths_);
    } else if (type == "tmpfs") {
      m.type = MountType::kTmpfs;
    } else {
      m.source = std::move(source);  // volume, and image/npipe/cluster: no host path
    }
    c.mounts.push_back(std::move(m));
  }

  std::string path_;
  const PathContext& paths_;
  std::vector<std::string> errors_;
};

}  // namespace

bool IsComposeFile(const json& document) {
  return document.is_object() && document.contains("services") && !document.contains("kind");
}

ComposeFile ReadCompose(const json& document, int document_line,
                        const std::vector<std::pair<std::string, int>>& key_lines,
                        const Lookup& lookup, const PathContext& paths) {
  ComposeFile file;
  if (document.contains("include")) {
    file.problems.push_back(
        {document_line, "include is not supported; judge the output of `docker compose config`"});
  }
  const json& services = document["services"];
  if (!services.is_object()) {
    file.problems.push_back({document_line, "services: expected a mapping, got " +
                                                std::string(JsonTypeName(services))});
    return file;
  }
  for (auto it = services.begin(); it != services.end(); ++it) {
    const std::string& name = it.key();
    int line = document_line;
    for (const auto& [key, key_line] : key_lines) {
      if (key == name) line = key_line;
    }
    const std::string path = "services." + name;
    json service = it->is_null() ? json::object() : *it;
    if (!service.is_object()) {
      file.problems.push_back(
          {line, path + ": expected a mapping, got " + std::string(JsonTypeName(service))});
      continue;
    }
    if (Status s = InterpolateAll(service, lookup); !s) {
      file.problems.push_back({line, path + ": " + s.error().message});
      continue;
    }
    ComposeService out{.container = {.name = name}, .line = line};
    ServiceReader reader(path, paths);
    reader.Read(service, out.container);
    if (!reader.errors().empty()) {
      for (const std::string& e : reader.errors()) file.problems.push_back({line, e});
      continue;
    }
    file.services.push_back(std::move(out));
  }
  // In file order (the JSON object holds its keys sorted).
  std::stable_sort(file.services.begin(), file.services.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  std::stable_sort(file.problems.begin(), file.problems.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  return file;
}

}  // namespace csp::docker
