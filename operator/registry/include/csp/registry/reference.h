// An image reference as the distribution API addresses it: the registry host to connect to, the
// repository path, and the tag or digest.
#pragma once

#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::registry {

struct Reference {
  std::string host = {};  // as written, lower-case, port included: "docker.io", "127.0.0.1:5000"
  std::string api_host = {};    // where the API is served: docker.io -> "registry-1.docker.io"
  std::string repository = {};  // "library/nginx"
  std::string tag = {};         // empty when the reference has only a digest
  std::string digest = {};      // "sha256:<hex>" when given; then it is what is fetched
  // The tag or digest to put into /v2/<repository>/manifests/<...>: the digest if any.
  std::string ManifestReference() const { return digest.empty() ? tag : digest; }
};

// "nginx" -> {docker.io, registry-1.docker.io, library/nginx, latest}. No tag and no digest
// means "latest". kInvalidArgument for an empty image, a path with characters outside the
// distribution grammar, or a digest that is not "<algorithm>:<hex>".
Result<Reference> ParseReference(std::string_view image);

// docker.io (and index.docker.io) -> registry-1.docker.io; every other host is itself.
std::string ApiHost(std::string_view host);

}  // namespace csp::registry
