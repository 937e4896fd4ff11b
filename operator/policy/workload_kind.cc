#include "csp/policy/workload_kind.h"

#include <algorithm>
#include <array>

#include "csp/names/names.h"
#include "csp/policy/field_errors.h"

namespace csp::policy {
namespace {

using json = nlohmann::json;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// A DNS subdomain (RFC 1123), as API groups are.
bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool edge = i == 0 || i + 1 == s.size() || s[i - 1] == '.' || s[i + 1] == '.';
    if (IsLowerAlnum(c)) continue;
    if ((c == '-' || c == '.') && !edge) continue;
    return false;
  }
  return true;
}

// v1, v1alpha1, v2beta3: Kubernetes API versions.
bool IsApiVersion(std::string_view s) {
  if (s.size() < 2 || s[0] != 'v' || s[1] < '1' || s[1] > '9') return false;
  std::size_t i = 2;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == s.size()) return true;
  std::string_view rest = s.substr(i);
  for (std::string_view stage : {"alpha", "beta"}) {
    if (!rest.starts_with(stage) || rest.size() == stage.size()) continue;
    return std::ranges::all_of(rest.substr(stage.size()),
                               [](char c) { return c >= '0' && c <= '9'; });
  }
  return false;
}

bool IsKindName(std::string_view s) {
  return !s.empty() && s.size() <= 63 && s[0] >= 'A' && s[0] <= 'Z' &&
         std::ranges::all_of(s, IsAlnum);
}

// A resource (plural) name: a DNS label.
bool IsResourceName(std::string_view s) {
  return !s.empty() && s.size() <= 63 && IsLowerAlnum(s.front()) && IsLowerAlnum(s.back()) &&
         std::ranges::all_of(s, [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

// Dotted keys of JSON fields (letters, digits, '_', '-') or "*".
std::string PathProblem(std::string_view path) {
  if (path.empty()) return "required";
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string_view seg = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (seg.empty()) return "\"" + std::string(path) + "\" has an empty segment";
    if (seg != "*" &&
        !std::ranges::all_of(seg, [](char c) { return IsAlnum(c) || c == '_' || c == '-'; })) {
      return "\"" + std::string(path) + "\": segment \"" + std::string(seg) +
             "\" is neither a field name (letters, digits, '_', '-') nor \"*\"";
    }
    if (dot == std::string_view::npos) return {};
    start = dot + 1;
  }
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

// Reads spec.<key> as a string into `out` when it passes `valid`.
void ReadString(const json& spec, std::string_view key, bool required,
                bool (*valid)(std::string_view), std::string_view what, FieldErrors& errors,
                std::string& out) {
  const std::string path = "spec." + std::string(key);
  const json* v = GetField(spec, key);
  if (v == nullptr) {
    if (required) errors.Add(path, "required");
    return;
  }
  if (!ExpectType(*v, json::value_t::string, path, errors)) return;
  out = v->get<std::string>();
  if (!valid(out)) errors.Add(path, "\"" + out + "\" is not " + std::string(what));
}

struct Walk {
  std::span<const std::string_view> segments;
  std::vector<PodTemplateAt>& out;
  const std::string& declared;

  Status Step(const json& at, std::size_t i, const std::string& path,
              const std::string& name) const {
    if (i == segments.size()) {
      if (!at.is_object()) {
        FieldErrors errors;
        ExpectType(at, json::value_t::object, path, errors);
        return InvalidArgument(errors.ToString());
      }
      out.push_back({.name = name.empty() ? declared : name, .path = path, .object = &at});
      return {};
    }
    const std::string_view seg = segments[i];
    const auto join = [](const std::string& a, std::string_view b) {
      return a.empty() ? std::string(b) : a + "." + std::string(b);
    };
    if (seg != "*") {
      if (!at.is_object()) {
        FieldErrors errors;
        ExpectType(at, json::value_t::object, path, errors);
        return InvalidArgument(errors.ToString());
      }
      const json* next = GetField(at, seg);
      if (next == nullptr) return {};
      return Step(*next, i + 1, join(path, seg), name);
    }
    if (at.is_object()) {
      for (auto it = at.begin(); it != at.end(); ++it) {  // nlohmann keeps keys sorted
        if (it->is_null()) continue;
        if (Status s = Step(*it, i + 1, join(path, it.key()), join(name, it.key())); !s.ok()) {
          return s;
        }
      }
      return {};
    }
    if (at.is_array()) {
      for (std::size_t k = 0; k < at.size(); ++k) {
        const std::string index = std::to_string(k);
        if (Status s = Step(at[k], i + 1, path + "[" + index + "]", join(name, index)); !s.ok()) {
          return s;
        }
      }
      return {};
    }
    return InvalidArgument(path + ": expected an object or an array, got " +
                           std::string(JsonTypeName(at)));
  }
};

}  // namespace

Result<WorkloadKind> ParseWorkloadKind(const json& object) {
  if (!object.is_object()) return InvalidArgument("expected a WorkloadKind object");
  FieldErrors errors;
  WorkloadKind out;
  out.name =
      ReadTypeAndName(object, names::kWorkloadKindsResource.kind, names::kApiVersion, errors);
  const json* spec = GetField(object, "spec");
  if (spec == nullptr) {
    errors.Add("spec", "required");
    return InvalidArgument(errors.ToString());
  }
  if (!ExpectType(*spec, json::value_t::object, "spec", errors)) {
    return InvalidArgument(errors.ToString());
  }
  static constexpr std::array<std::string_view, 6> kFields = {
      "group", "version", "kind", "resource", "podTemplatePaths", "scaleDown"};
  RejectUnknownFields(*spec, kFields, "spec", errors);
  ReadString(*spec, "group", true, IsDnsSubdomain, "an API group (a DNS subdomain)", errors,
             out.group);
  ReadString(*spec, "version", true, IsApiVersion, "an API version (v1, v1alpha1, v2beta1)", errors,
             out.version);
  ReadString(*spec, "kind", true, IsKindName, "a kind name (CamelCase letters and digits)", errors,
             out.kind);
  ReadString(*spec, "resource", false, IsResourceName,
             "a resource name (lower case, the CRD's plural)", errors, out.resource);
  if (!out.kind.empty() && IsWorkloadKind(out.group, out.kind)) {
    errors.Add("spec.kind",
               "\"" + out.kind + "\" in group \"" + out.group + "\" is a built-in workload kind");
  }
  const json* paths = GetField(*spec, "podTemplatePaths");
  if (paths == nullptr) {
    errors.Add("spec.podTemplatePaths", "required");
  } else {
    ReadStringList(*paths, "spec.podTemplatePaths", errors, out.pod_template_paths);
    if (paths->is_array() && paths->empty()) {
      errors.Add("spec.podTemplatePaths", "must name at least one path");
    }
    if (out.pod_template_paths.size() > 16) {
      errors.Add("spec.podTemplatePaths", "at most 16 paths");
    }
    for (std::size_t i = 0; i < out.pod_template_paths.size(); ++i) {
      std::string problem = PathProblem(out.pod_template_paths[i]);
      if (!problem.empty()) {
        errors.Add("spec.podTemplatePaths[" + std::to_string(i) + "]", problem);
      }
    }
  }
  if (const json* mode = GetField(*spec, "scaleDown")) {
    if (ExpectType(*mode, json::value_t::string, "spec.scaleDown", errors)) {
      if (*mode == "ScaleSubresource") {
        out.scale_down = ScaleDownMode::kScaleSubresource;
      } else if (*mode != "LabelOnly") {
        errors.Add("spec.scaleDown", "\"" + mode->get<std::string>() +
                                         "\" is not one of LabelOnly, ScaleSubresource");
      }
    }
  }
  if (!errors.empty()) return InvalidArgument(errors.ToString());
  return out;
}

Result<std::vector<PodTemplateAt>> FindPodTemplates(const json& object,
                                                    std::span<const std::string> paths) {
  std::vector<PodTemplateAt> out;
  for (const std::string& path : paths) {
    const std::vector<std::string_view> segments = Segments(path);
    const Walk walk{.segments = segments, .out = out, .declared = path};
    if (Status s = walk.Step(object, 0, "", ""); !s.ok()) return s.error();
  }
  return out;
}

bool IsQualifiedKindName(std::string_view name) {
  const std::size_t dot = name.find('.');
  return dot != std::string_view::npos && IsKindName(name.substr(0, dot)) &&
         IsDnsSubdomain(name.substr(dot + 1));
}

const WorkloadKind* FindWorkloadKind(std::span<const WorkloadKind> kinds, std::string_view group,
                                     std::string_view kind) {
  for (const WorkloadKind& k : kinds) {
    if (k.group == group && k.kind == kind) return &k;
  }
  return nullptr;
}

Result<std::optional<std::vector<Workload>>> AsCustomWorkloads(const json& object,
                                                               std::span<const WorkloadKind> kinds,
                                                               std::string_view default_namespace) {
  using Out = std::optional<std::vector<Workload>>;
  const json* kind = GetField(object, "kind");
  const json* api_version = GetField(object, "apiVersion");
  if (kind == nullptr || !kind->is_string() || api_version == nullptr ||
      !api_version->is_string()) {
    return Out{};
  }
  const WorkloadKind* declared =
      FindWorkloadKind(kinds, ApiGroup(api_version->get_ref<const std::string&>()),
                       kind->get_ref<const std::string&>());
  if (declared == nullptr) return Out{};
  CSP_TRY(std::vector<PodTemplateAt> templates,
          FindPodTemplates(object, declared->pod_template_paths));
  std::vector<Workload> out;
  for (const PodTemplateAt& t : templates) {
    CSP_TRY(Workload w, WorkloadWithTemplate(object, default_namespace, t.object, t.path));
    w.ref.pod_template = t.name;
    out.push_back(std::move(w));
  }
  return Out{std::move(out)};
}

}  // namespace csp::policy
