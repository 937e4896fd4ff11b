// One logical registry request: authenticated (answering one 401 challenge), redirected (up to
// the limit, Authorization dropped when leaving the registry host, no downgrade to plain HTTP
// unless the target host opted in), retried (retry_send.h). Status codes are left to the
// caller.
#pragma once

#include <chrono>
#include <string>

#include "authorizer.h"
#include "csp/registry/client.h"
#include "retry_send.h"

namespace csp::registry {

struct FetchRequest {
  const Reference& repo;  // host and repository; the scope is repository:<repository>:pull
  std::string method = "GET";
  std::string target = {};  // "/v2/<repository>/..."
  std::string accept = {};
  std::size_t max_body_bytes = 0;
  std::chrono::steady_clock::time_point deadline = {};
  const Keychain& keychain;
};

struct Fetched {
  kube::HttpResponse response;
  std::string what;  // "GET /v2/app/manifests/v1", for messages (never a redirect's URL)
};

class Fetcher {
 public:
  Fetcher(const ClientOptions& options, Authorizer& authorizer, const RetryContext& retry)
      : options_(options), authorizer_(authorizer), retry_(retry) {}

  Result<Fetched> Fetch(const FetchRequest& request);

 private:
  const ClientOptions& options_;
  Authorizer& authorizer_;
  RetryContext retry_;
};

}  // namespace csp::registry
