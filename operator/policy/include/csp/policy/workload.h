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

// Recognises `object` as a workload. Returns nullopt for any other kind (no result), an
// InvalidArgument error for a workload kind without apiVersion or with mistyped metadata.
// `default_namespace` is used when metadata.namespace is missing.
Result<std::optional<Workload>> AsWorkload(const nlohmann::json& object,
                                           std::string_view default_namespace);

}  // namespace csp::policy
