// Loads a RestConfig from a kubeconfig file (the clientcmd v1 Config format).
#pragma once

#include <filesystem>
#include <string_view>

#include "csp/common/result.h"
#include "csp/kube/rest_config.h"

namespace csp::kube {

// Reads `file` and resolves `context` (empty: the file's current-context) to its cluster and
// user. Supported: cluster server, certificate-authority(-data), insecure-skip-tls-verify;
// user client-certificate(-data) + client-key(-data), token, tokenFile; context namespace.
// Relative paths are resolved against the kubeconfig's folder. Certificate and key files are
// read now; tokenFile is re-read by the client when it changes.
// Errors: kNotFound when `file` does not exist; kInvalidArgument naming the file and the field
// ("kubeconfig /k: users[name=dev].user.client-key: missing (client-certificate is set)").
// Unsupported auth (exec, auth-provider, username/password) is an error, not ignored.
Result<RestConfig> LoadKubeconfig(const std::filesystem::path& file, std::string_view context = {});

}  // namespace csp::kube
