#include "fetcher.h"

#include "csp/registry/url.h"
#include "response_error.h"

namespace csp::registry {
namespace {

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

Result<Fetched> Fetcher::Fetch(const FetchRequest& request) {
  const std::string& registry = request.repo.api_host;
  const std::string what = request.method + " " + request.target;
  const std::string where = "registry " + registry + ": ";
  const std::string scope = "repository:" + request.repo.repository + ":pull";
  const HostSecurity registry_security = SecurityOf(options_, registry);
  Url url{.tls = registry_security != HostSecurity::kPlainHttp,
          .host = registry,
          .target = request.target};
  std::string authorization = authorizer_.Cached(registry, scope, request.keychain);
  bool answered_challenge = false;
  int redirects = 0;
  while (true) {
    const HostSecurity security = SecurityOf(options_, url.host);
    if (!url.tls && security != HostSecurity::kPlainHttp) {
      return Error{Code::kFailedPrecondition, where + "refusing a redirect to plain HTTP (" +
                                                  Printable(url.host, 100) + ") for " + what};
    }
    HttpCall call{
        .method = request.method,
        .host = url.host,
        .security = url.tls && security == HostSecurity::kPlainHttp ? HostSecurity::kTls : security,
        .target = url.target,
        .headers = {{"User-Agent", options_.user_agent}},
        .max_body_bytes = request.max_body_bytes,
        .deadline = request.deadline};
    if (!request.accept.empty()) call.headers.emplace_back("Accept", request.accept);
    // Credentials stay with the registry: a blob's redirect to storage carries its own.
    const bool at_registry = url.host == registry;
    if (at_registry && !authorization.empty()) {
      call.headers.emplace_back("Authorization", authorization);
    }
    CSP_TRY(kube::HttpResponse response, SendWithRetry(retry_, call));
    if (response.status == 401 && at_registry && !answered_challenge) {
      answered_challenge = true;
      const auto challenge = kube::FindHeader(response.headers, "www-authenticate");
      if (challenge) {
        CSP_TRY(authorization, authorizer_.Answer(registry, scope, *challenge, request.keychain,
                                                  retry_, request.deadline));
        continue;
      }
    }
    if (IsRedirect(response.status)) {
      if (++redirects > options_.max_redirects) {
        return Error{Code::kFailedPrecondition, where + "more than " +
                                                    std::to_string(options_.max_redirects) +
                                                    " redirects for " + what};
      }
      const auto location = kube::FindHeader(response.headers, "location");
      if (!location) {
        return Error{Code::kFailedPrecondition,
                     where + StatusText(response.status) + " without a Location for " + what};
      }
      Result<Url> next = ResolveLocation(url, *location);
      if (!next) {
        return Error{Code::kFailedPrecondition,
                     where + "bad redirect for " + what + ": " + next.error().message};
      }
      url = std::move(*next);
      continue;
    }
    return Fetched{.response = std::move(response), .what = what};
  }
}

}  // namespace csp::registry
