#include "csp/kube/in_cluster.h"

#include <cstdlib>

#include "read_file.h"

namespace csp::kube {

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::filesystem::path ServiceAccountDir(const std::filesystem::path& root) {
  return root / "var/run/secrets/kubernetes.io/serviceaccount";
}

bool InClusterEnvPresent(const EnvLookup& env) {
  const auto host = env("KUBERNETES_SERVICE_HOST");
  const auto port = env("KUBERNETES_SERVICE_PORT");
  return host && !host->empty() && port && !port->empty();
}

Result<RestConfig> LoadInClusterConfig(const std::filesystem::path& root, const EnvLookup& env) {
  RestConfig config;
  const auto host = env("KUBERNETES_SERVICE_HOST");
  const auto port = env("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty()) {
    return Error{Code::kNotFound, "in-cluster config: KUBERNETES_SERVICE_HOST is not set"};
  }
  if (!port || port->empty()) {
    return Error{Code::kNotFound, "in-cluster config: KUBERNETES_SERVICE_PORT is not set"};
  }
  if (port->find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument("in-cluster config: KUBERNETES_SERVICE_PORT=\"" + *port +
                           "\" is not a port number");
  }
  // An IPv6 service address needs brackets in a URL.
  const bool ipv6 = host->find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + *host + "]" : *host) + ":" + *port;

  const auto dir = ServiceAccountDir(root);
  config.source = "in-cluster service account " + dir.string();
  config.token_file = dir / "token";
  auto token = ReadWholeFile(config.token_file);
  if (!token) return Error{token.error().code, "in-cluster config: " + token.error().message};
  auto ca = ReadWholeFile(dir / "ca.crt");
  if (!ca) return Error{ca.error().code, "in-cluster config: " + ca.error().message};
  config.ca_pem = std::move(*ca);
  if (auto ns = ReadWholeFile(dir / "namespace")) {
    std::string value = std::move(*ns);
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    config.default_namespace = std::move(value);
  }
  return config;
}

}  // namespace csp::kube
