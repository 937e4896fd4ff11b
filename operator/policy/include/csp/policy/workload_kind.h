// Custom workload kinds (api.md "WorkloadKind"): a cluster admin declares where a kind of
// another project (an Argo Rollout, a Kubeflow PyTorchJob) keeps its pod templates, and the
// engine judges each template as it judges a Deployment's. Pure: parsing and lookup only.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/policy/workload.h"

namespace csp::policy {

// How a custom kind is taken down for ScaleDown: through its `/scale` subresource (its CRD
// declares one), or not at all (Label only).
enum class ScaleDownMode { kLabelOnly, kScaleSubresource };

struct WorkloadKind {
  std::string name = {};      // metadata.name of the WorkloadKind
  std::string group = {};     // "argoproj.io"
  std::string version = {};   // "v1alpha1"
  std::string kind = {};      // "Rollout"
  std::string resource = {};  // the plural, "rollouts"
  // Dotted paths to pod template objects (metadata + spec); "*" is every key of a map or
  // every element of an array: "spec.pytorchReplicaSpecs.*.template".
  std::vector<std::string> pod_template_paths = {};
  ScaleDownMode scale_down = ScaleDownMode::kLabelOnly;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  bool operator==(const WorkloadKind&) const = default;
};

// Parses a containersecurity.dev/v1alpha1 WorkloadKind. Every invalid field is named, one per
// line ("spec.podTemplatePaths[1]: ..."), as ParsePolicy does.
Result<WorkloadKind> ParseWorkloadKind(const nlohmann::json& object);

// One pod template found in an object.
struct PodTemplateAt {
  std::string name = {};  // the keys "*" matched, joined by "."; the declared path without "*"
  std::string path = {};  // where it is: "spec.pytorchReplicaSpecs.Worker.template"
  const nlohmann::json* object = nullptr;  // the template (borrowed from the searched object)
};

// Every pod template of `object` at `paths`, in path order, then key order (map keys sorted,
// array elements in order). A path that leads nowhere gives nothing; an intermediate value of
// the wrong type (a string where the path goes on) is an InvalidArgument error naming it.
Result<std::vector<PodTemplateAt>> FindPodTemplates(const nlohmann::json& object,
                                                    std::span<const std::string> paths);

// True for a custom kind as policies name it (KindForMatch): "Rollout.argoproj.io", a kind
// name, a dot, an API group.
bool IsQualifiedKindName(std::string_view name);

// The declaration in `kinds` for (group, kind), or null.
const WorkloadKind* FindWorkloadKind(std::span<const WorkloadKind> kinds, std::string_view group,
                                     std::string_view kind);

// `object` as one Workload per pod template when its kind is declared in `kinds` (nullopt
// when it is not: no result). Each Workload's ref names its template (WorkloadRef::
// pod_template); a template found nowhere gives an empty list.
Result<std::optional<std::vector<Workload>>> AsCustomWorkloads(const nlohmann::json& object,
                                                               std::span<const WorkloadKind> kinds,
                                                               std::string_view default_namespace);

}  // namespace csp::policy
