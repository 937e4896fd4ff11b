// Loads a RestConfig from inside a Pod: the service-account token, CA and namespace, and the
// KUBERNETES_SERVICE_HOST/PORT environment variables the kubelet sets.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "csp/common/result.h"
#include "csp/kube/rest_config.h"

namespace csp::kube {

// Looks up an environment variable; tests inject a map instead of the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> ProcessEnv(const std::string& name);

// The service-account folder under `root`: root/var/run/secrets/kubernetes.io/serviceaccount.
std::filesystem::path ServiceAccountDir(const std::filesystem::path& root);

// True when KUBERNETES_SERVICE_HOST and _PORT are set (we are probably in a Pod).
bool InClusterEnvPresent(const EnvLookup& env = ProcessEnv);

// Builds the config from the env and from ServiceAccountDir(root)/{token,ca.crt,namespace}.
// The token is read once to check it exists, then kept as token_file so rotation is picked up.
// namespace is optional. Errors (kNotFound / kInvalidArgument) name the variable or file.
Result<RestConfig> LoadInClusterConfig(const std::filesystem::path& root = "/",
                                       const EnvLookup& env = ProcessEnv);

}  // namespace csp::kube
