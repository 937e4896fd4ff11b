// Chooses the config source the way kubectl and client-go do.
#pragma once

#include <filesystem>
#include <string_view>

#include "csp/common/result.h"
#include "csp/kube/in_cluster.h"
#include "csp/kube/rest_config.h"

namespace csp::kube {

// Order: `kubeconfig` (the --kubeconfig flag) if set; else $KUBECONFIG (its first entry: files
// are not merged); else the in-cluster config when KUBERNETES_SERVICE_HOST/PORT are set; else
// $HOME/.kube/config. `context` overrides the current-context of a kubeconfig.
Result<RestConfig> LoadConfig(const std::filesystem::path& kubeconfig, std::string_view context,
                              const EnvLookup& env = ProcessEnv);

}  // namespace csp::kube
