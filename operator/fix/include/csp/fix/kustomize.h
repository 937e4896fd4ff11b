// Fixes as a kustomize directory: one JSON Patch file per workload and a kustomization.yaml
// whose `patches:` target each by group, version, kind, name (and namespace when set).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/policy/workload.h"

namespace csp::fix {

struct WorkloadPatch {
  policy::WorkloadRef ref = {};
  bool has_namespace = false;  // the manifest names a namespace (else the target names none)
  nlohmann::json patch = {};   // the operations of every fix of the workload, in rule order
};

// The patch file's name for `ref`: "<kind>-<namespace>-<name>.json", lower-case; a suffix
// "-2", "-3" ... when two workloads would share one.
std::string PatchFileName(const policy::WorkloadRef& ref, const std::vector<std::string>& taken);

// The kustomization.yaml text for `patches` whose files are `files` (parallel).
std::string Kustomization(const std::vector<WorkloadPatch>& patches,
                          const std::vector<std::string>& files);

// Writes the patch files and kustomization.yaml into `dir` (created if missing).
Status WriteKustomize(const std::string& dir, const std::vector<WorkloadPatch>& patches);

}  // namespace csp::fix
