#include "csp/policy/pod_spec_parser.h"

#include "csp/policy/field_errors.h"

namespace csp::policy {
namespace {

using json = nlohmann::json;
constexpr std::string_view kAppArmorAnnotationPrefix =
    "container.apparmor.security.beta.kubernetes.io/";

// Walks the spec keeping the current field path in one buffer, so that the path costs
// nothing unless an error is reported.
class Parser {
 public:
  explicit Parser(std::string path) : path_(std::move(path)) {}

  const FieldErrors& errors() const { return errors_; }

  PodSpec Parse(const json& spec, const json* annotations) {
    PodSpec pod;
    if (!Expect(spec, json::value_t::object)) return pod;
    ReadContainers(spec, "initContainers", ContainerType::kInit, pod);
    ReadContainers(spec, "containers", ContainerType::kRegular, pod);
    ReadContainers(spec, "ephemeralContainers", ContainerType::kEphemeral, pod);
    if (const json* sc = Field(spec, "securityContext")) {
      Scope s(*this, "securityContext");
      if (Expect(*sc, json::value_t::object)) ReadSecurityContext(*sc, pod.pod_security_context);
    }
    if (const json* vols = Field(spec, "volumes")) {
      Scope s(*this, "volumes");
      if (Expect(*vols, json::value_t::array)) {
        pod.volumes.reserve(vols->size());
        for (std::size_t i = 0; i < vols->size(); ++i) {
          Scope item(*this, i);
          ReadVolume((*vols)[i], pod);
        }
      }
    }
    if (const json* os = Field(spec, "os")) {
      Scope s(*this, "os");
      if (Expect(*os, json::value_t::object)) pod.os_name = String(*os, "name");
    }
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
    if (v == nullptr) return {};
    Scope s(*this, key);
    if (!Expect(*v, json::value_t::string)) return {};
    return v->get_ref<const std::string&>();
  }

  std::optional<bool> Bool(const json& obj, std::string_view key) {
    const json* v = Field(obj, key);
    if (v == nullptr) return std::nullopt;
    Scope s(*this, key);
    if (!Expect(*v, json::value_t::boolean)) return std::nullopt;
    return v->get<bool>();
  }

  std::optional<std::int64_t> Int(const json& obj, std::string_view key) {
    const json* v = Field(obj, key);
    if (v == nullptr) return std::nullopt;
    Scope s(*this, key);
    if (!Expect(*v, json::value_t::number_integer)) return std::nullopt;
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > INT64_MAX) {
      errors_.Add(path_, "out of range");
      return std::nullopt;
    }
    return v->get<std::int64_t>();
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

  std::optional<Profile> ReadProfile(const json& sc, std::string_view key) {
    const json* v = Field(sc, key);
    if (v == nullptr) return std::nullopt;
    Scope s(*this, key);
    if (!Expect(*v, json::value_t::object)) return std::nullopt;
    Profile p;
    p.type = String(*v, "type");
    if (const json* lp = Field(*v, "localhostProfile")) {
      Scope l(*this, "localhostProfile");
      if (Expect(*lp, json::value_t::string))
        p.localhost_profile = lp->get_ref<const std::string&>();
    }
    return p;
  }

  void ReadSecurityContext(const json& sc, SecurityContext& out) {
    out.privileged = Bool(sc, "privileged");
    out.run_as_non_root = Bool(sc, "runAsNonRoot");
    out.run_as_user = Int(sc, "runAsUser");
    out.seccomp = ReadProfile(sc, "seccompProfile");
    out.app_armor = ReadProfile(sc, "appArmorProfile");
    if (const json* caps = Field(sc, "capabilities")) {
      Scope s(*this, "capabilities");
      if (Expect(*caps, json::value_t::object)) {
        out.capabilities =
            Capabilities{.add = Strings(*caps, "add"), .drop = Strings(*caps, "drop")};
      }
    }
  }

  void ReadContainers(const json& spec, std::string_view key, ContainerType type, PodSpec& pod) {
    const json* list = Field(spec, key);
    if (list == nullptr) return;
    Scope s(*this, key);
    if (!Expect(*list, json::value_t::array)) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      Scope item(*this, i);
      const json& c = (*list)[i];
      if (!Expect(c, json::value_t::object)) continue;
      Container& out = pod.containers.emplace_back();
      out.type = type;
      out.name = String(c, "name");
      out.image = String(c, "image");
      if (const json* sc = Field(c, "securityContext")) {
        Scope scs(*this, "securityContext");
        if (Expect(*sc, json::value_t::object))
          ReadSecurityContext(*sc, out.security_context.emplace());
      }
      if (const json* mounts = Field(c, "volumeMounts")) {
        Scope ms(*this, "volumeMounts");
        if (Expect(*mounts, json::value_t::array)) {
          for (std::size_t m = 0; m < mounts->size(); ++m) {
            Scope mi(*this, m);
            const json& mount = (*mounts)[m];
            if (!Expect(mount, json::value_t::object)) continue;
            out.volume_mounts.push_back({.name = String(mount, "name"),
                                         .read_only = Bool(mount, "readOnly").value_or(false)});
          }
        }
      }
    }
  }

  void ReadVolume(const json& v, PodSpec& pod) {
    if (!Expect(v, json::value_t::object)) return;
    Volume& out = pod.volumes.emplace_back();
    out.name = String(v, "name");
    if (const json* hp = Field(v, "hostPath")) {
      Scope s(*this, "hostPath");
      if (Expect(*hp, json::value_t::object)) out.host_path = String(*hp, "path");
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
