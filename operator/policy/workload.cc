#include "csp/policy/workload.h"

#include <array>

#include "csp/policy/field_errors.h"

namespace csp::policy {
namespace {

using json = nlohmann::json;

struct KindInfo {
  std::string_view group;
  std::string_view kind;
  std::array<std::string_view, 4> spec_path;  // keys down to the pod template object
  std::string_view pod_spec_path;
};

// controls.md "Inputs": where each workload kind keeps its pod spec. The template object is
// the one holding metadata (annotations) and spec.
constexpr std::array<KindInfo, 12> kKinds = {{
    {"", "Pod", {}, "spec"},
    {"", "ReplicationController", {"spec", "template"}, "spec.template.spec"},
    {"", "PodTemplate", {"template"}, "template.spec"},
    {"apps", "Deployment", {"spec", "template"}, "spec.template.spec"},
    {"apps", "ReplicaSet", {"spec", "template"}, "spec.template.spec"},
    {"apps", "StatefulSet", {"spec", "template"}, "spec.template.spec"},
    {"apps", "DaemonSet", {"spec", "template"}, "spec.template.spec"},
    {"extensions", "Deployment", {"spec", "template"}, "spec.template.spec"},
    {"extensions", "ReplicaSet", {"spec", "template"}, "spec.template.spec"},
    {"extensions", "DaemonSet", {"spec", "template"}, "spec.template.spec"},
    {"batch", "Job", {"spec", "template"}, "spec.template.spec"},
    {"batch",
     "CronJob",
     {"spec", "jobTemplate", "spec", "template"},
     "spec.jobTemplate.spec.template.spec"},
}};

const KindInfo* FindKind(std::string_view group, std::string_view kind) {
  for (const KindInfo& k : kKinds) {
    if (k.group == group && k.kind == kind) return &k;
  }
  return nullptr;
}

}  // namespace

std::string_view ApiGroup(std::string_view api_version) {
  std::size_t slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view{} : api_version.substr(0, slash);
}

bool IsWorkloadKind(std::string_view group, std::string_view kind) {
  return FindKind(group, kind) != nullptr;
}

std::string_view PodSpecPath(std::string_view group, std::string_view kind) {
  const KindInfo* info = FindKind(group, kind);
  return info != nullptr ? info->pod_spec_path : std::string_view();
}

std::string KindForMatch(const WorkloadRef& workload) {
  const std::string_view group = ApiGroup(workload.api_version);
  if (group.empty() || IsWorkloadKind(group, workload.kind)) return workload.kind;
  return workload.kind + "." + std::string(group);
}

Result<std::optional<Workload>> AsWorkload(const json& object, std::string_view default_namespace) {
  if (!object.is_object()) return std::optional<Workload>{};
  const json* kind = GetField(object, "kind");
  if (kind == nullptr || !kind->is_string()) return std::optional<Workload>{};
  const std::string& kind_name = kind->get_ref<const std::string&>();
  const json* api_version = GetField(object, "apiVersion");
  if (api_version == nullptr) {
    // A workload kind without apiVersion cannot be told apart from a custom kind.
    for (const KindInfo& k : kKinds) {
      if (k.kind == kind_name) {
        return InvalidArgument("kind " + kind_name + " has no apiVersion");
      }
    }
    return std::optional<Workload>{};
  }
  if (!api_version->is_string()) {
    return InvalidArgument("apiVersion: expected a string, got " +
                           std::string(JsonTypeName(*api_version)));
  }
  const std::string& version = api_version->get_ref<const std::string&>();
  const KindInfo* info = FindKind(ApiGroup(version), kind_name);
  if (info == nullptr) return std::optional<Workload>{};

  const json* tmpl = &object;
  std::string path;
  for (std::string_view key : info->spec_path) {
    if (key.empty()) break;
    path += path.empty() ? "" : ".";
    path += key;
    const json* next = GetField(*tmpl, key);
    if (next == nullptr) {
      tmpl = nullptr;
      break;
    }
    if (!next->is_object()) {
      FieldErrors errors;
      ExpectType(*next, json::value_t::object, path, errors);
      return InvalidArgument(errors.ToString());
    }
    tmpl = next;
  }
  // A pod's "template" is the object itself, its spec at "spec".
  CSP_TRY(Workload w, WorkloadWithTemplate(object, default_namespace, tmpl, path));
  w.pod_spec_path = std::string(info->pod_spec_path);
  return std::optional<Workload>{std::move(w)};
}

Result<Workload> WorkloadWithTemplate(const json& object, std::string_view default_namespace,
                                      const json* pod_template, std::string_view template_path) {
  Workload w;
  w.object = &object;
  w.ref.api_version = object.at("apiVersion").get<std::string>();
  w.ref.kind = object.at("kind").get<std::string>();
  FieldErrors errors;
  if (const json* meta = GetField(object, "metadata")) {
    if (ExpectType(*meta, json::value_t::object, "metadata", errors)) {
      auto str = [&](std::string_view key, std::string& out) {
        if (const json* v = GetField(*meta, key)) {
          if (ExpectType(*v, json::value_t::string, "metadata." + std::string(key), errors)) {
            out = v->get<std::string>();
          }
        }
      };
      str("name", w.ref.name);
      str("namespace", w.ref.ns);
      str("uid", w.ref.uid);
      if (const json* labels = GetField(*meta, "labels")) {
        if (ExpectType(*labels, json::value_t::object, "metadata.labels", errors)) {
          w.labels = labels;
          for (auto it = labels->begin(); it != labels->end(); ++it) {
            ExpectType(*it, json::value_t::string, "metadata.labels." + it.key(), errors);
          }
        }
      }
    }
  }
  if (w.ref.ns.empty() && w.ref.kind != "Namespace") w.ref.ns = std::string(default_namespace);

  // A missing template means an empty pod spec (nothing to check).
  static const json kEmptyObject = json::object();
  const std::string path(template_path);
  w.pod_spec_path = path.empty() ? "spec" : path + ".spec";
  w.pod_spec = &kEmptyObject;
  if (pod_template != nullptr) {
    if (const json* spec = GetField(*pod_template, "spec")) w.pod_spec = spec;
    if (const json* meta = GetField(*pod_template, "metadata")) {
      std::string meta_path = path.empty() ? "metadata" : path + ".metadata";
      if (ExpectType(*meta, json::value_t::object, meta_path, errors)) {
        if (const json* ann = GetField(*meta, "annotations")) {
          if (ExpectType(*ann, json::value_t::object, meta_path + ".annotations", errors)) {
            w.annotations = ann;
          }
        }
      }
    }
  }
  if (!errors.empty()) return InvalidArgument(errors.ToString());
  return w;
}

}  // namespace csp::policy
