#include "csp/policy/pod_spec_parser.h"

#include "csp/names/names.h"
#include "csp/policy/field_errors.h"

namespace csp::policy {
namespace {

using json = nlohmann::json;
using names::kAppArmorAnnotationPrefix;

// Walks the spec keeping the current field path in one buffer, so that the path costs
// nothing unless an error is reported.
class Parser {
 public:
  explicit Parser(const std::string& path) {
    path_.reserve(128);
    path_ = path;
  }

  const FieldErrors& errors() const { return errors_; }

  PodSpec Parse(const json& spec, const json* annotations) {
    PodSpec pod;
    if (!Expect(spec, json::value_t::object)) return pod;
    // One pass over the object's members (a std::map: a find per field costs more), keeping
    // the container lists for the fixed order init, regular, ephemeral.
    const json *init = nullptr, *regular = nullptr, *ephemeral = nullptr;
    for (auto it = spec.begin(); it != spec.end(); ++it) {
      const std::string_view key = it.key();
      if (it->is_null()) continue;
      if (key == "containers") {
        regular = &*it;
      } else if (key == "initContainers") {
        init = &*it;
      } else if (key == "ephemeralContainers") {
        ephemeral = &*it;
      } else if (key == "securityContext") {
        Scope s(*this, key);
        if (Expect(*it, json::value_t::object)) ReadSecurityContext(*it, pod.pod_security_context);
      } else if (key == "volumes") {
        ReadVolumes(*it, pod);
      } else if (key == "os") {
        Scope s(*this, key);
        if (Expect(*it, json::value_t::object)) pod.os_name = String(*it, "name");
      } else if (key == "hostNetwork") {
        pod.host_network = Bool(*it, key).value_or(false);
      } else if (key == "hostPID") {
        pod.host_pid = Bool(*it, key).value_or(false);
      } else if (key == "hostIPC") {
        pod.host_ipc = Bool(*it, key).value_or(false);
      } else if (key == "hostUsers") {
        pod.host_users = Bool(*it, key);
      } else if (key == "nodeName") {
        pod.node_name = StringValue(*it, key);
      } else if (key == "nodeSelector") {
        ReadNodeSelector(*it, pod);
      }
    }
    std::size_t count = (init ? init->size() : 0) + (regular ? regular->size() : 0) +
                        (ephemeral ? ephemeral->size() : 0);
    pod.containers.reserve(count);
    if (init) ReadContainers(*init, "initContainers", ContainerType::kInit, pod);
    if (regular) ReadContainers(*regular, "containers", ContainerType::kRegular, pod);
    if (ephemeral)
      ReadContainers(*ephemeral, "ephemeralContainers", ContainerType::kEphemeral, pod);
    if (annotations != nullptr && annotations->is_object()) {
      for (auto it = annotations->begin(); it != annotations->end(); ++it) {
        std::string_view key = it.key();
        if (key.substr(0, kAppArmorAnnotationPrefix.size()) == kAppArmorAnnotationPrefix &&
            it->is_string()) {
          pod.app_armor_annotations.emplace_back(key.substr(kAppArmorAnnotationPrefix.size()),
                                                 it->get_ref<const std::string&>());
        }
      }
    }
    return pod;
  }

 private:
  // Appends ".key" or "[i]" to the path for the lifetime of the scope.
  class Scope {
   public:
    Scope(Parser& p, std::string_view key) : p_(p), len_(p.path_.size()) {
      p_.path_ += '.';
      p_.path_ += key;
    }
    Scope(Parser& p, std::size_t index) : p_(p), len_(p.path_.size()) {
      p_.path_ += '[';
      p_.path_ += std::to_string(index);
      p_.path_ += ']';
    }
    ~Scope() { p_.path_.resize(len_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Parser& p_;
    std::size_t len_;
  };

  bool Expect(const json& v, json::value_t t) { return ExpectType(v, t, path_, errors_); }

  static const json* Field(const json& obj, std::string_view key) { return GetField(obj, key); }

  std::string_view String(const json& obj, std::string_view key) {
    const json* v = Field(obj, key);
    return v == nullptr ? std::string_view{} : StringValue(*v, key);
  }

  // The value of field `key` (already found), type-checked.
  std::string_view StringValue(const json& v, std::string_view key) {
    if (v.is_string()) return v.get_ref<const std::string&>();
    Scope s(*this, key);
    Expect(v, json::value_t::string);
    return {};
  }

  std::optional<bool> OptionalBool(const json& obj, std::string_view key) {
    const json* v = Field(obj, key);
    return v == nullptr ? std::nullopt : Bool(*v, key);
  }

  std::optional<bool> Bool(const json& v, std::string_view key) {
    if (v.is_boolean()) return v.get<bool>();
    Scope s(*this, key);
    Expect(v, json::value_t::boolean);
    return std::nullopt;
  }

  std::optional<std::int64_t> Int(const json& v, std::string_view key) {
    Scope s(*this, key);
    if (!Expect(v, json::value_t::number_integer)) return std::nullopt;
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX) {
      errors_.Add(path_, "out of range");
      return std::nullopt;
    }
    return v.get<std::int64_t>();
  }

  std::vector<std::string_view> Strings(const json& obj, std::string_view key) {
    std::vector<std::string_view> out;
    const json* v = Field(obj, key);
    if (v == nullptr) return out;
    Scope s(*this, key);
    if (!Expect(*v, json::value_t::array)) return out;
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
      Scope item(*this, i);
      if (Expect((*v)[i], json::value_t::string)) {
        out.push_back((*v)[i].get_ref<const std::string&>());
      }
    }
    return out;
  }

  std::optional<Profile> ReadProfile(const json& v, std::string_view key) {
    Scope s(*this, key);
    if (!Expect(v, json::value_t::object)) return std::nullopt;
    Profile p;
    p.type = String(v, "type");
    if (const json* lp = Field(v, "localhostProfile")) {
      Scope l(*this, "localhostProfile");
      if (Expect(*lp, json::value_t::string))
        p.localhost_profile = lp->get_ref<const std::string&>();
    }
    return p;
  }

  void ReadSecurityContext(const json& sc, SecurityContext& out) {
    for (auto it = sc.begin(); it != sc.end(); ++it) {
      const std::string_view key = it.key();
      if (it->is_null()) continue;
      if (key == "privileged") {
        out.privileged = Bool(*it, key);
      } else if (key == "runAsNonRoot") {
        out.run_as_non_root = Bool(*it, key);
      } else if (key == "runAsUser") {
        out.run_as_user = Int(*it, key);
      } else if (key == "seccompProfile") {
        out.seccomp = ReadProfile(*it, key);
      } else if (key == "appArmorProfile") {
        out.app_armor = ReadProfile(*it, key);
      } else if (key == "capabilities") {
        Scope s(*this, key);
        if (Expect(*it, json::value_t::object)) {
          out.capabilities = Capabilities{.add = Strings(*it, "add"), .drop = Strings(*it, "drop")};
        }
      } else if (key == "allowPrivilegeEscalation") {
        out.allow_privilege_escalation = Bool(*it, key);
      } else if (key == "procMount") {
        out.proc_mount = StringValue(*it, key);
      } else if (key == "seLinuxOptions") {
        Scope s(*this, key);
        if (Expect(*it, json::value_t::object)) {
          out.se_linux = SeLinuxOptions{.type = String(*it, "type"),
                                        .user = String(*it, "user"),
                                        .role = String(*it, "role"),
                                        .level = String(*it, "level")};
        }
      } else if (key == "windowsOptions") {
        Scope s(*this, key);
        if (Expect(*it, json::value_t::object)) {
          out.windows_host_process = OptionalBool(*it, "hostProcess");
        }
      } else if (key == "sysctls") {
        ReadSysctls(*it, out);
      }
    }
  }

  void ReadSysctls(const json& list, SecurityContext& out) {
    Scope s(*this, "sysctls");
    if (!Expect(list, json::value_t::array)) return;
    out.sysctls.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      Scope item(*this, i);
      if (!Expect(list[i], json::value_t::object)) continue;
      out.sysctls.push_back({.name = String(list[i], "name"), .value = String(list[i], "value")});
    }
  }

  // httpGet.host and tcpSocket.host of a probe or lifecycle handler at `where`.
  void ReadHandlerHosts(const json& handler, std::string_view where, Container& out) {
    for (const char* kind : {"httpGet", "tcpSocket"}) {
      const json* action = Field(handler, kind);
      if (action == nullptr) continue;
      Scope a(*this, kind);
      if (!Expect(*action, json::value_t::object)) continue;
      const std::string_view host = String(*action, "host");
      if (!host.empty()) {
        out.probe_hosts.emplace_back(std::string(where) + "." + kind + ".host", host);
      }
    }
  }

  void ReadLifecycle(const json& lifecycle, Container& out) {
    Scope s(*this, "lifecycle");
    if (!Expect(lifecycle, json::value_t::object)) return;
    for (const char* hook : {"postStart", "preStop"}) {
      const json* handler = Field(lifecycle, hook);
      if (handler == nullptr) continue;
      Scope h(*this, hook);
      if (Expect(*handler, json::value_t::object)) {
        ReadHandlerHosts(*handler, std::string("lifecycle.") + hook, out);
      }
    }
  }

  void ReadPorts(const json& ports, Container& out) {
    Scope s(*this, "ports");
    if (!Expect(ports, json::value_t::array)) return;
    for (std::size_t i = 0; i < ports.size(); ++i) {
      Scope item(*this, i);
      if (!Expect(ports[i], json::value_t::object)) continue;
      const json* host_port = Field(ports[i], "hostPort");
      if (host_port == nullptr) continue;
      std::optional<std::int64_t> port = Int(*host_port, "hostPort");
      if (port && *port != 0) out.host_ports.push_back(*port);
    }
  }

  void ReadContainers(const json& list, std::string_view key, ContainerType type, PodSpec& pod) {
    Scope s(*this, key);
    if (!Expect(list, json::value_t::array)) return;
    for (std::size_t i = 0; i < list.size(); ++i) {
      Scope item(*this, i);
      const json& c = list[i];
      if (!Expect(c, json::value_t::object)) continue;
      Container& out = pod.containers.emplace_back();
      out.type = type;
      for (auto it = c.begin(); it != c.end(); ++it) {
        const std::string_view field = it.key();
        if (it->is_null()) continue;
        if (field == "name") {
          out.name = StringValue(*it, field);
        } else if (field == "image") {
          out.image = StringValue(*it, field);
        } else if (field == "securityContext") {
          Scope scs(*this, field);
          if (Expect(*it, json::value_t::object)) {
            ReadSecurityContext(*it, out.security_context.emplace());
          }
        } else if (field == "volumeMounts") {
          ReadMounts(*it, out);
        } else if (field == "ports") {
          ReadPorts(*it, out);
        } else if (field == "livenessProbe" || field == "readinessProbe" ||
                   field == "startupProbe") {
          Scope ps(*this, field);
          if (Expect(*it, json::value_t::object)) ReadHandlerHosts(*it, field, out);
        } else if (field == "lifecycle") {
          ReadLifecycle(*it, out);
        }
      }
    }
  }

  void ReadMounts(const json& mounts, Container& out) {
    Scope ms(*this, "volumeMounts");
    if (!Expect(mounts, json::value_t::array)) return;
    out.volume_mounts.reserve(mounts.size());
    for (std::size_t m = 0; m < mounts.size(); ++m) {
      Scope mi(*this, m);
      const json& mount = mounts[m];
      if (!Expect(mount, json::value_t::object)) continue;
      out.volume_mounts.push_back({.name = String(mount, "name"),
                                   .read_only = OptionalBool(mount, "readOnly").value_or(false)});
    }
  }

  // nodeSelector: an object of strings (null values are skipped, as elsewhere).
  void ReadNodeSelector(const json& selector, PodSpec& pod) {
    Scope s(*this, "nodeSelector");
    if (!Expect(selector, json::value_t::object)) return;
    pod.node_selector.reserve(selector.size());
    for (auto it = selector.begin(); it != selector.end(); ++it) {
      if (it->is_null()) continue;
      const std::string_view value = StringValue(*it, it.key());
      pod.node_selector.emplace_back(it.key(), value);
    }
  }

  void ReadVolumes(const json& vols, PodSpec& pod) {
    Scope s(*this, "volumes");
    if (!Expect(vols, json::value_t::array)) return;
    pod.volumes.reserve(vols.size());
    for (std::size_t i = 0; i < vols.size(); ++i) {
      Scope item(*this, i);
      const json& v = vols[i];
      if (!Expect(v, json::value_t::object)) continue;
      Volume& out = pod.volumes.emplace_back();
      out.name = String(v, "name");
      for (auto field = v.begin(); field != v.end(); ++field) {
        if (field.key() != "name" && !field->is_null()) {
          out.type = field.key();
          break;
        }
      }
      if (const json* hp = Field(v, "hostPath")) {
        Scope h(*this, "hostPath");
        if (Expect(*hp, json::value_t::object)) out.host_path = String(*hp, "path");
      }
    }
  }

  std::string path_;
  FieldErrors errors_;
};

}  // namespace

std::string ContainerLabel(const Container& c) {
  std::string_view kind = c.type == ContainerType::kInit        ? "initContainer"
                          : c.type == ContainerType::kEphemeral ? "ephemeralContainer"
                                                                : "container";
  std::string out(kind);
  out += " \"";
  out += c.name;
  out += '"';
  return out;
}

Result<PodSpec> ParsePodSpec(const nlohmann::json& spec, const std::string& path,
                             const nlohmann::json* annotations) {
  Parser parser(path);
  PodSpec pod = parser.Parse(spec, annotations);
  if (!parser.errors().empty()) {
    std::string message;
    for (const FieldError& e : parser.errors().all()) {
      if (!message.empty()) message += "; ";
      message += e.path + ": " + e.message;
    }
    return InvalidArgument(std::move(message));
  }
  return pod;
}

}  // namespace csp::policy
