// Answers a registry's 401 challenge with an Authorization header: Basic from the keychain, or
// a Bearer token from the challenge's realm (distribution's token protocol), cached per
// (registry, scope, credential) until it expires. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "csp/registry/client.h"
#include "csp/registry/token_cache.h"
#include "retry_send.h"

namespace csp::registry {

// How `host` is reached: its opt-in in options.insecure_hosts, else verified TLS.
HostSecurity SecurityOf(const ClientOptions& options, std::string_view host);

class Authorizer {
 public:
  Authorizer(const ClientOptions& options, kube::Clock& clock);

  // The header value to send before any challenge: a cached token for the scope, or Basic for
  // a host that asked for it before; empty otherwise.
  std::string Cached(const std::string& host, const std::string& scope, const Keychain& keychain);

  // The header value answering `www_authenticate`. Errors (kUnauthenticated, or the token
  // server's failure) name the registry and never quote a credential or token.
  Result<std::string> Answer(const std::string& host, const std::string& scope,
                             std::string_view www_authenticate, const Keychain& keychain,
                             const RetryContext& retry,
                             std::chrono::steady_clock::time_point deadline);

 private:
  Result<std::string> FetchToken(const std::string& host, const std::string& scope,
                                 const std::string& realm, const std::string& service,
                                 const std::optional<Credential>& credential,
                                 const RetryContext& retry,
                                 std::chrono::steady_clock::time_point deadline);

  const ClientOptions& options_;
  TokenCache tokens_;
  std::mutex mu_;
  std::set<std::string, std::less<>> basic_hosts_;  // hosts whose challenge was Basic
};

}  // namespace csp::registry
