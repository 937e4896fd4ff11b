// Recognising workloads: which objects carry a pod spec, and where (controls.md "Inputs").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::policy {

// The top-level object a result is reported on.
struct WorkloadRef {
  std::string api_version = {};
  std::string kind = {};
  std::string ns = {};
  std::string name = {};
  std::string uid = {};
  // For a custom kind (workload_kind.h), the pod template judged: "Worker" of
  // spec.pytorchReplicaSpecs.*.template. Empty for the built-in kinds (one template each).
  std::string pod_template = {};
};

// A workload object and pointers into it. The pointers borrow from `object`.
struct Workload {
  WorkloadRef ref = {};
  const nlohmann::json* object = nullptr;
  const nlohmann::json* pod_spec = nullptr;     // never null for a recognised workload
  std::string pod_spec_path = {};               // "spec.template.spec"
  const nlohmann::json* labels = nullptr;       // metadata.labels or null
  const nlohmann::json* annotations = nullptr;  // pod (template) metadata.annotations or null
};

// The API group of an apiVersion: "apps/v1" -> "apps", "v1" -> "".
std::string_view ApiGroup(std::string_view api_version);

// True when `kind` in `group` is one of the workload kinds (Pod, Deployment, ...).
bool IsWorkloadKind(std::string_view group, std::string_view kind);
// Where such a kind keeps its pod spec (Workload::pod_spec_path: "spec.template.spec"); "" for
// any other kind.
std::string_view PodSpecPath(std::string_view group, std::string_view kind);

// The name policies give the workload's kind in match.kinds and exemptions: a built-in kind
// by itself ("Deployment"), any other qualified by its group ("Rollout.argoproj.io", as
// kubectl names them), so that OpenKruise's StatefulSet.apps.kruise.io is not apps' one.
std::string KindForMatch(const WorkloadRef& workload);

// Recognises `object` as a workload. Returns nullopt for any other kind (no result), an
// InvalidArgument error for a workload kind without apiVersion or with mistyped metadata.
// `default_namespace` is used when metadata.namespace is missing.
Result<std::optional<Workload>> AsWorkload(const nlohmann::json& object,
                                           std::string_view default_namespace);

// `object` (of any kind) as a workload whose pod template is `pod_template` (null: an empty
// pod spec) at `template_path` ("spec.template"): reads metadata as AsWorkload does. The
// caller checked that `object` has string kind and apiVersion.
Result<Workload> WorkloadWithTemplate(const nlohmann::json& object,
                                      std::string_view default_namespace,
                                      const nlohmann::json* pod_template,
                                      std::string_view template_path);

}  // namespace csp::policy
