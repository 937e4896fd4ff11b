#include "csp/registry/client.h"

#include <nlohmann/json.hpp>

#include "authorizer.h"
#include "csp/registry/digest.h"
#include "csp/registry/host_limiter.h"
#include "csp/registry/media_types.h"
#include "csp/registry/url.h"
#include "fetcher.h"
#include "response_error.h"

namespace csp::registry {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

bool IsDigestReference(std::string_view reference) {
  return reference.find(':') != std::string_view::npos;
}

// Link: </v2/app/referrers/sha256:...?n=10&last=x>; rel="next" -> the URL, if any.
std::optional<std::string> NextLink(const kube::Headers& headers) {
  auto link = kube::FindHeader(headers, "link");
  if (!link) return std::nullopt;
  const std::size_t open = link->find('<');
  const std::size_t close = link->find('>');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  if (link->substr(close).find("rel=\"next\"") == std::string_view::npos &&
      link->substr(close).find("rel=next") == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(link->substr(open + 1, close - open - 1));
}

}  // namespace

struct Client::Impl {
  Impl(ClientOptions opts, kube::Clock& c, std::unique_ptr<Transport> t)
      : options(std::move(opts)),
        clock(c),
        transport(std::move(t)),
        limiter(options.max_requests_per_host),
        authorizer(options, clock),
        fetcher(options, authorizer,
                RetryContext{.transport = *transport,
                             .limiter = limiter,
                             .clock = clock,
                             .policy = options.retry}) {}

  SteadyTime Deadline() const { return std::chrono::steady_clock::now() + options.timeout; }

  Result<Fetched> Fetch(const Reference& repo, std::string method, std::string target,
                        std::string_view accept, std::size_t max_body, SteadyTime deadline,
                        const Keychain& keychain) {
    return fetcher.Fetch(FetchRequest{.repo = repo,
                                      .method = std::move(method),
                                      .target = std::move(target),
                                      .accept = std::string(accept),
                                      .max_body_bytes = max_body,
                                      .deadline = deadline,
                                      .keychain = keychain});
  }

  // A fetched manifest checked: 2xx, a manifest media type (or `only_media_type`), JSON, and
  // the digest it must have.
  Result<Manifest> CheckManifest(const Reference& repo, Fetched fetched, std::string_view reference,
                                 std::string_view only_media_type) {
    const std::string where = "registry " + repo.api_host + ": ";
    const kube::HttpResponse& response = fetched.response;
    if (response.status < 200 || response.status > 299) {
      return ResponseError(repo.api_host, fetched.what, response);
    }
    const std::string media_type(
        BareMediaType(kube::FindHeader(response.headers, "content-type").value_or("")));
    const bool accepted =
        only_media_type.empty() ? IsManifestMediaType(media_type) : media_type == only_media_type;
    if (!accepted) {
      return Error{Code::kFailedPrecondition, where + fetched.what + ": unexpected media type \"" +
                                                  Printable(media_type, 100) + "\""};
    }
    if (!nlohmann::json::accept(response.body)) {
      return Error{Code::kFailedPrecondition, where + fetched.what + ": body is not valid JSON"};
    }
    Manifest manifest{.media_type = media_type, .digest = Sha256Digest(response.body)};
    if (IsDigestReference(reference)) {
      if (Status verified = VerifyDigest(reference, response.body); !verified) {
        return Error{Code::kFailedPrecondition,
                     where + fetched.what + ": " + verified.error().message};
      }
      manifest.digest = std::string(reference);
    }
    if (auto header = kube::FindHeader(response.headers, "docker-content-digest");
        header && header->starts_with("sha256:") && *header != manifest.digest &&
        manifest.digest.starts_with("sha256:")) {
      return Error{Code::kFailedPrecondition, where + fetched.what + ": Docker-Content-Digest " +
                                                  Printable(*header, 80) +
                                                  " differs from the body's " + manifest.digest};
    }
    manifest.bytes = std::move(fetched.response.body);
    return manifest;
  }

  Result<Manifest> GetManifest(const Reference& repo, std::string_view reference,
                               std::string_view accept, std::string_view only_media_type,
                               SteadyTime deadline, const Keychain& keychain) {
    CSP_TRY(Fetched fetched,
            Fetch(repo, "GET", "/v2/" + repo.repository + "/manifests/" + std::string(reference),
                  accept, options.max_manifest_bytes, deadline, keychain));
    return CheckManifest(repo, std::move(fetched), reference, only_media_type);
  }

  ClientOptions options;
  kube::Clock& clock;
  std::unique_ptr<Transport> transport;
  HostLimiter limiter;
  Authorizer authorizer;
  Fetcher fetcher;
};

Result<std::unique_ptr<Client>> Client::New(ClientOptions options, kube::Clock& clock,
                                            std::unique_ptr<Transport> transport) {
  if (!transport) {
    CSP_TRY(transport, NewBeastTransport(options.tls));
  }
  return std::unique_ptr<Client>(
      new Client(std::make_unique<Impl>(std::move(options), clock, std::move(transport))));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::string> Client::ResolveDigest(const Reference& ref, const Keychain& keychain) {
  const SteadyTime deadline = impl_->Deadline();
  const std::string reference = ref.ManifestReference();
  CSP_TRY(Fetched head,
          impl_->Fetch(ref, "HEAD", "/v2/" + ref.repository + "/manifests/" + reference,
                       kManifestAccept, 0, deadline, keychain));
  const int status = head.response.status;
  // A GET would be refused the same way; other refusals (405, 400) may be HEAD's alone.
  if (status == 401 || status == 403 || status == 404 || status == 429 || status >= 500) {
    return ResponseError(ref.api_host, head.what, head.response);
  }
  if (status >= 200 && status <= 299) {
    auto header = kube::FindHeader(head.response.headers, "docker-content-digest");
    if (header && !header->empty()) {
      if (IsDigestReference(reference) && *header != reference) {
        return Error{Code::kFailedPrecondition,
                     "registry " + ref.api_host + ": " + head.what + ": Docker-Content-Digest " +
                         Printable(*header, 80) + " differs from the requested digest"};
      }
      if (!IsDigestReference(reference)) {
        // Checked like a reference's digest before it is handed out.
        CSP_TRY(Reference checked,
                ParseReference(ref.host + "/" + ref.repository + "@" + Printable(*header, 200)));
        return checked.digest;
      }
      return std::string(*header);
    }
  }
  // HEAD refused or without the header: the body's digest is the answer.
  CSP_TRY(Manifest manifest,
          impl_->GetManifest(ref, reference, kManifestAccept, "", deadline, keychain));
  return manifest.digest;
}

Result<Manifest> Client::GetManifest(const Reference& repo, std::string_view tag_or_digest,
                                     const Keychain& keychain) {
  return impl_->GetManifest(repo, tag_or_digest, kManifestAccept, "", impl_->Deadline(), keychain);
}

Result<std::optional<Manifest>> Client::GetTag(const Reference& repo, std::string_view tag,
                                               const Keychain& keychain) {
  Result<Manifest> manifest =
      impl_->GetManifest(repo, tag, kManifestAccept, "", impl_->Deadline(), keychain);
  if (!manifest && manifest.error().code == Code::kNotFound) return std::optional<Manifest>();
  if (!manifest) return manifest.error();
  return std::optional<Manifest>(std::move(*manifest));
}

Result<std::string> Client::GetBlob(const Reference& repo, std::string_view digest,
                                    const Keychain& keychain) {
  CSP_TRY(Fetched fetched,
          impl_->Fetch(repo, "GET", "/v2/" + repo.repository + "/blobs/" + std::string(digest), "",
                       impl_->options.max_blob_bytes, impl_->Deadline(), keychain));
  if (fetched.response.status < 200 || fetched.response.status > 299) {
    return ResponseError(repo.api_host, fetched.what, fetched.response);
  }
  if (Status verified = VerifyDigest(digest, fetched.response.body); !verified) {
    return Error{Code::kFailedPrecondition, "registry " + repo.api_host + ": " + fetched.what +
                                                ": " + verified.error().message};
  }
  return std::move(fetched.response.body);
}

Result<Referrers> Client::GetReferrers(const Reference& repo, std::string_view digest,
                                       std::string_view artifact_type, const Keychain& keychain) {
  const SteadyTime deadline = impl_->Deadline();
  const std::string where = "registry " + repo.api_host + ": ";
  Referrers referrers;
  std::string target = "/v2/" + repo.repository + "/referrers/" + std::string(digest);
  if (!artifact_type.empty()) target += "?artifactType=" + EncodeQueryValue(artifact_type);
  for (int page = 0;; ++page) {
    if (page >= impl_->options.max_referrers_pages) {
      return Error{Code::kResourceExhausted,
                   where + "referrers of " + std::string(digest) + " span more than " +
                       std::to_string(impl_->options.max_referrers_pages) + " pages"};
    }
    CSP_TRY(Fetched fetched, impl_->Fetch(repo, "GET", target, kOciIndex,
                                          impl_->options.max_manifest_bytes, deadline, keychain));
    if (page == 0 && fetched.response.status == 404) break;  // no referrers API: fall back
    const std::optional<std::string> next = NextLink(fetched.response.headers);
    if (page == 0) {
      auto filters = kube::FindHeader(fetched.response.headers, "oci-filters-applied");
      referrers.filtered = !artifact_type.empty() && filters &&
                           filters->find("artifactType") != std::string_view::npos;
    }
    CSP_TRY(Manifest index, impl_->CheckManifest(repo, std::move(fetched), "", kOciIndex));
    referrers.pages.push_back(std::move(index));
    if (!next) return referrers;
    Result<Url> next_url =
        ResolveLocation(Url{.tls = true, .host = repo.api_host, .target = target}, *next);
    if (!next_url || next_url->host != repo.api_host) {
      return Error{Code::kFailedPrecondition,
                   where + "referrers of " + std::string(digest) +
                       ": Link rel=\"next\" does not point into this registry"};
    }
    target = next_url->target;
  }
  referrers.from_fallback_tag = true;
  Result<Manifest> fallback = impl_->GetManifest(repo, FallbackReferrersTag(digest), kOciIndex,
                                                 kOciIndex, deadline, keychain);
  if (!fallback && fallback.error().code == Code::kNotFound) return referrers;
  if (!fallback) return fallback.error();
  referrers.pages.push_back(std::move(*fallback));
  return referrers;
}

}  // namespace csp::registry
