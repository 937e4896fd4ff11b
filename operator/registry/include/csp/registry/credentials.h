// Registry credentials from docker config files: ~/.docker/config.json ({"auths": {...}}), the
// legacy ~/.dockercfg (the same map without "auths"), and the Secrets that carry them
// (kubernetes.io/dockerconfigjson, kubernetes.io/dockercfg).
//
// Secrets stay secret: Credential has no operator<<, and no error message here quotes any part
// of the input (not even nlohmann's "last read" excerpt of invalid JSON).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::registry {

struct Credential {
  std::string username = {};
  std::string password = {};
  // An OAuth2 refresh token (docker login's identitytoken): exchanged at the token realm with
  // grant_type=refresh_token instead of basic credentials.
  std::string identity_token = {};
};

// A config key or an image host -> the host it names: scheme and path dropped, lower-cased, and
// Docker Hub's aliases ("https://index.docker.io/v1/", "registry-1.docker.io") -> "docker.io".
std::string NormalizeRegistryHost(std::string_view key);

// Credentials by normalized host. Not thread-safe to Add to; Find is const.
class Keychain {
 public:
  // Adds every entry of one docker config JSON text, either form. An entry whose host is
  // already known is ignored: the first source added wins (as the kubelet tries a pod's
  // imagePullSecrets in order). "auth" (base64 "user:password") wins over "username" and
  // "password". credsStore and credHelpers are ignored (no helper programs are run).
  // kInvalidArgument naming the entry's host and field, never its value; nothing is added then.
  Status Add(std::string_view docker_config_json);

  // The credential for `host` (normalized first), if any.
  std::optional<Credential> Find(std::string_view host) const;

  bool empty() const { return by_host_.empty(); }

 private:
  std::map<std::string, Credential, std::less<>> by_host_;
};

}  // namespace csp::registry
