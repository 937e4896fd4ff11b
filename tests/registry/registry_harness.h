// Test support: real registries on loopback, from the test-tools cache that
// hack/build-test-tools.sh fills. Distribution (no referrers API: cosign writes fallback tags):
// plain HTTP, TLS with a test CA, htpasswd (bcrypt) basic auth, or token auth against a token
// server the test runs itself (token_issuer.h). Or referrers-registry (hack/referrers-registry,
// go-containerregistry's registry with the OCI referrers API: cosign writes no fallback tag),
// plain HTTP only. Each instance has a temporary root directory and a free port, and is killed
// with its process group at the end.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace csp::registry::testing {

// The folder holding the `registry` and `crane` binaries: $CSP_TEST_TOOLS_BIN, else
// ~/.cache/csp-operator/test-tools/<newest>/bin. nullopt when neither has both.
std::optional<std::filesystem::path> TestToolsBin();

// A bcrypt hash for an htpasswd file (libxcrypt), cost 4 to keep tests fast.
std::string BcryptHash(const std::string& password);

// A port that was free a moment ago on 127.0.0.1.
int FreePort();

struct RegistryConfig {
  // Serve with `bin`/referrers-registry instead of distribution; no TLS or auth then.
  bool referrers_api = false;
  std::string tls_cert_pem = {};  // with tls_key_pem: serve HTTPS
  std::string tls_key_pem = {};
  std::string htpasswd = {};  // "user:bcrypt" lines: basic auth
  // Token auth: realm URL, service and issuer the tokens carry, and the certificate (PEM) whose
  // key signs them.
  std::string token_realm = {};
  std::string token_service = {};
  std::string token_issuer = {};
  std::string token_root_pem = {};
};

class RegistryProcess {
 public:
  // Starts `bin`/registry (or referrers-registry) and waits (up to 15 s) until its port accepts
  // connections; error() says why not.
  RegistryProcess(const std::filesystem::path& bin, const RegistryConfig& config);
  ~RegistryProcess();
  RegistryProcess(const RegistryProcess&) = delete;
  RegistryProcess& operator=(const RegistryProcess&) = delete;

  const std::string& error() const { return error_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  // Writes dir_/config.yml for distribution; returns its path.
  std::string WriteDistributionConfig(const RegistryConfig& config, const std::string& addr);

  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

}  // namespace csp::registry::testing
