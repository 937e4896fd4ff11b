// The OCI distribution API client: resolve references to digests, fetch manifests, blobs,
// referrers and tags, as signature verification needs them. It fetches and checks bytes (sizes,
// media types, digests); it does not interpret manifests.
//
// Every call is bounded: an overall deadline (retries, auth round trips and redirects
// included), body size limits, a redirect limit, and a limit of concurrent requests per
// registry host. 429, 5xx and lost connections are retried with jittered exponential backoff
// honoring Retry-After, never past the deadline. Errors name the registry host and the request:
//   registry 127.0.0.1:5000: 401 Unauthorized for GET /v2/app/manifests/v1
// Credentials never appear in errors. Thread-safe: one Client serves all threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/kube/backoff.h"
#include "csp/kube/clock.h"
#include "csp/registry/credentials.h"
#include "csp/registry/reference.h"
#include "csp/registry/transport.h"

namespace csp::registry {

struct ClientOptions {
  TlsOptions tls = {};
  // Explicit opt-ins, by host as in image references ("127.0.0.1:5000", "registry.local");
  // every other host is reached over verified TLS.
  std::map<std::string, HostSecurity, std::less<>> insecure_hosts = {};
  std::size_t max_manifest_bytes = 4 << 20;  // manifests, indexes, referrers pages
  std::size_t max_blob_bytes = 16 << 20;
  std::size_t max_token_bytes = 1 << 20;  // token server answers
  // One public call (ResolveDigest, GetBlob, ...) ends with kUnavailable after this long.
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  int max_redirects = 5;
  int max_requests_per_host = 4;
  int max_referrers_pages = 16;  // Link rel="next" pages of one referrers answer
  kube::RetryPolicy retry = {.max_attempts = 4,
                             .base_delay = std::chrono::milliseconds(250),
                             .max_delay = std::chrono::seconds(10)};
  std::string user_agent = "csp-operator";
};

// A manifest, index or other JSON document as the registry returned it.
struct Manifest {
  std::string media_type = {};  // the Content-Type, parameters dropped
  std::string bytes = {};
  std::string digest = {};  // "sha256:<hex>" of bytes (or the requested digest, verified)
};

struct Referrers {
  // OCI image indexes listing referrers of the digest: the referrers API's pages (Link
  // rel="next" followed), or the one fallback index tagged "sha256-<hex>". Empty when the
  // registry has neither.
  std::vector<Manifest> pages = {};
  bool from_fallback_tag = false;  // the registry lacks the referrers API
  // The registry applied the artifactType filter (OCI-Filters-Applied); otherwise the caller
  // must filter descriptors itself.
  bool filtered = false;
};

class Client {
 public:
  // kInvalidArgument when the CA bundle does not parse. `transport` replaces the real one
  // (tests); `clock` drives backoff sleeps and token expiry.
  static Result<std::unique_ptr<Client>> New(ClientOptions options,
                                             kube::Clock& clock = kube::SteadyClock(),
                                             std::unique_ptr<Transport> transport = nullptr);
  ~Client();

  // The digest of the manifest or index `ref` names (an index is not resolved to a platform):
  // HEAD with the manifest Accept header, then GET when HEAD fails or omits
  // Docker-Content-Digest (its digest is then the SHA-256 of the body). A reference with a
  // digest resolves to that digest if the registry has it. kNotFound when it does not.
  Result<std::string> ResolveDigest(const Reference& ref, const Keychain& keychain = {});

  // GET /v2/<repository>/manifests/<tag_or_digest> of ref's repository. The Content-Type must
  // be one of the four manifest types and the body JSON; a digest reference must match the body.
  Result<Manifest> GetManifest(const Reference& repo, std::string_view tag_or_digest,
                               const Keychain& keychain = {});

  // GetManifest, with a missing tag (404) as nullopt instead of an error: for cosign's
  // "sha256-<hex>.sig" tags, whose absence is an answer.
  Result<std::optional<Manifest>> GetTag(const Reference& repo, std::string_view tag,
                                         const Keychain& keychain = {});

  // GET /v2/<repository>/blobs/<digest>, following redirects, verified against `digest`.
  Result<std::string> GetBlob(const Reference& repo, std::string_view digest,
                              const Keychain& keychain = {});

  // GET /v2/<repository>/referrers/<digest>?artifactType=... (empty artifact_type: no filter);
  // a 404 (no referrers API) falls back to the index tagged FallbackReferrersTag(digest).
  Result<Referrers> GetReferrers(const Reference& repo, std::string_view digest,
                                 std::string_view artifact_type, const Keychain& keychain = {});

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace csp::registry
