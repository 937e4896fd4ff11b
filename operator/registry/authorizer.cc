#include "authorizer.h"

#include <nlohmann/json.hpp>

#include "csp/kube/base64.h"
#include "csp/registry/challenge.h"
#include "csp/registry/digest.h"
#include "csp/registry/url.h"
#include "response_error.h"

namespace csp::registry {
namespace {

// Tells credentials apart in the token cache without keeping them in its keys.
std::string CredentialId(const std::optional<Credential>& credential) {
  if (!credential) return "anonymous";
  return Sha256Digest(credential->username + '\0' + credential->password + '\0' +
                      credential->identity_token);
}

std::string BasicHeader(const Credential& credential) {
  return "Basic " + kube::EncodeBase64(credential.username + ":" + credential.password);
}

}  // namespace

HostSecurity SecurityOf(const ClientOptions& options, std::string_view host) {
  auto it = options.insecure_hosts.find(host);
  return it == options.insecure_hosts.end() ? HostSecurity::kTls : it->second;
}

Authorizer::Authorizer(const ClientOptions& options, kube::Clock& clock)
    : options_(options), tokens_(clock) {}

std::string Authorizer::Cached(const std::string& host, const std::string& scope,
                               const Keychain& keychain) {
  const std::optional<Credential> credential = keychain.Find(host);
  if (auto token = tokens_.Find(host + " " + scope + " " + CredentialId(credential))) {
    return "Bearer " + *token;
  }
  std::lock_guard lock(mu_);
  if (credential && !credential->username.empty() && basic_hosts_.contains(host)) {
    return BasicHeader(*credential);
  }
  return {};
}

Result<std::string> Authorizer::Answer(const std::string& host, const std::string& scope,
                                       std::string_view www_authenticate, const Keychain& keychain,
                                       const RetryContext& retry,
                                       std::chrono::steady_clock::time_point deadline) {
  const std::string where = "registry " + host + ": ";
  const std::optional<Challenge> challenge = ParseChallenge(www_authenticate);
  if (!challenge) {
    return Error{Code::kUnauthenticated,
                 where + "401 Unauthorized with an unreadable WWW-Authenticate challenge"};
  }
  const std::optional<Credential> credential = keychain.Find(host);
  if (challenge->scheme == "basic") {
    if (!credential || credential->username.empty()) {
      return Error{Code::kUnauthenticated,
                   where +
                       "401 Unauthorized: basic authentication required and no credentials "
                       "are configured for this registry"};
    }
    std::lock_guard lock(mu_);
    basic_hosts_.insert(host);
    return BasicHeader(*credential);
  }
  if (challenge->scheme != "bearer") {
    return Error{Code::kUnauthenticated,
                 where + "401 Unauthorized: unsupported authentication scheme \"" +
                     Printable(challenge->scheme, 40) + "\""};
  }
  CSP_TRY(std::string token, FetchToken(host, scope, challenge->Param("realm"),
                                        challenge->Param("service"), credential, retry, deadline));
  return "Bearer " + token;
}

Result<std::string> Authorizer::FetchToken(const std::string& host, const std::string& scope,
                                           const std::string& realm, const std::string& service,
                                           const std::optional<Credential>& credential,
                                           const RetryContext& retry,
                                           std::chrono::steady_clock::time_point deadline) {
  const std::string where = "registry " + host + ": token realm: ";
  Result<Url> url = ParseUrl(realm);
  if (!url) return Error{Code::kUnauthenticated, where + url.error().message};
  const HostSecurity security = SecurityOf(options_, url->host);
  // Credentials go over plain HTTP only to a host the admin named as plain HTTP.
  if (!url->tls && security != HostSecurity::kPlainHttp) {
    return Error{Code::kUnauthenticated, where + "refusing plain-HTTP realm " + url->host +
                                             " (not listed as a plain-HTTP host)"};
  }
  if (url->tls && security == HostSecurity::kPlainHttp) {
    return Error{Code::kUnauthenticated, where + url->host + " is a plain-HTTP host"};
  }
  std::string query = "service=" + EncodeQueryValue(service) + "&scope=" + EncodeQueryValue(scope);
  HttpCall call{.host = url->host,
                .security = security,
                .target = url->target,
                .headers = {{"User-Agent", options_.user_agent}},
                .max_body_bytes = options_.max_token_bytes,
                .deadline = deadline};
  if (credential && !credential->identity_token.empty()) {
    // docker login's identity token is an OAuth2 refresh token (distribution's oauth spec).
    call.method = "POST";
    call.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    call.body = query +
                "&grant_type=refresh_token&client_id=" + EncodeQueryValue(options_.user_agent) +
                "&refresh_token=" + EncodeQueryValue(credential->identity_token);
  } else {
    call.target += (call.target.find('?') == std::string::npos ? "?" : "&") + query;
    if (credential && !credential->username.empty()) {
      call.headers.emplace_back("Authorization", BasicHeader(*credential));
    }
  }
  CSP_TRY(kube::HttpResponse response, SendWithRetry(retry, call));
  const std::string what = call.method + " token from " + url->host;
  if (response.status != 200) return ResponseError(host, what, response);
  const nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  if (!answer.is_object()) {
    return Error{Code::kUnauthenticated, where + url->host + " answered with invalid JSON"};
  }
  std::string token;
  for (const char* field : {"token", "access_token"}) {
    auto it = answer.find(field);
    if (it != answer.end() && it->is_string() && !it->get<std::string>().empty()) {
      token = it->get<std::string>();
      break;
    }
  }
  if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
    return Error{Code::kUnauthenticated, where + url->host + " answered without a usable token"};
  }
  std::chrono::seconds expires_in(60);
  if (auto it = answer.find("expires_in"); it != answer.end() && it->is_number_integer()) {
    expires_in = std::chrono::seconds(std::clamp<long long>(it->get<long long>(), 0, 86400));
  }
  tokens_.Put(host + " " + scope + " " + CredentialId(credential), token, expires_in);
  return token;
}

}  // namespace csp::registry
