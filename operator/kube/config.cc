#include "csp/kube/config.h"

#include "csp/kube/kubeconfig.h"

namespace csp::kube {

Result<RestConfig> LoadConfig(const std::filesystem::path& kubeconfig, std::string_view context,
                              const EnvLookup& env) {
  if (!kubeconfig.empty()) return LoadKubeconfig(kubeconfig, context);
  if (auto list = env("KUBECONFIG"); list && !list->empty()) {
    return LoadKubeconfig(list->substr(0, list->find(':')), context);
  }
  if (InClusterEnvPresent(env)) return LoadInClusterConfig("/", env);
  const auto home = env("HOME");
  if (!home || home->empty()) {
    return Error{Code::kNotFound,
                 "no Kubernetes config: set --kubeconfig or KUBECONFIG, or run in a Pod"};
  }
  return LoadKubeconfig(std::filesystem::path(*home) / ".kube" / "config", context);
}

}  // namespace csp::kube
