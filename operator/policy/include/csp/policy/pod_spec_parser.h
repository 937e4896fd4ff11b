// JSON pod spec -> PodSpec, checking the type of every field the controls read.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "csp/common/result.h"
#include "csp/policy/pod_spec.h"

namespace csp::policy {

// `spec` is the pod spec object; `path` its location for messages ("spec.template.spec").
// `annotations` is the pod (template) metadata.annotations object, or null.
// A field of the wrong type is an InvalidArgument error naming its full path, e.g.
// `spec.template.spec.containers: expected an array, got string`.
Result<PodSpec> ParsePodSpec(const nlohmann::json& spec, const std::string& path,
                             const nlohmann::json* annotations);

}  // namespace csp::policy
