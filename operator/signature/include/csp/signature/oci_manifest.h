// OCI image manifests and indexes (image-spec v1.1: manifest.md, image-index.md, descriptor.md)
// and their Docker v2 schema 2 equivalents, as a registry serves them; plus the referrers API
// answer (distribution-spec v1.1, an OCI index). Parsing checks what the verifier relies on and
// nothing more: schemaVersion 2, the media type, sha256 digests, non-negative sizes, a size bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"

namespace csp::signature {

namespace media_types {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
}  // namespace media_types

struct Descriptor {
  std::string media_type = {};
  std::string digest = {};  // "sha256:<64 lower hex>"
  std::int64_t size = 0;
  std::string artifact_type = {};
  std::map<std::string, std::string> annotations = {};
};

// An image manifest: OCI (mediaType kOciManifest or absent) or Docker (kDockerManifest).
struct Manifest {
  std::string media_type = {};  // as written; "" when the document has none
  std::string artifact_type = {};
  Descriptor config = {};
  std::vector<Descriptor> layers = {};
  std::optional<Descriptor> subject = {};
  std::map<std::string, std::string> annotations = {};
};

// An image index: OCI (kOciIndex or absent) or Docker (kDockerManifestList).
struct Index {
  std::string media_type = {};
  std::string artifact_type = {};
  std::vector<Descriptor> manifests = {};
  std::optional<Descriptor> subject = {};
  std::map<std::string, std::string> annotations = {};
};

// "sha256:" + lower-case hex of SHA-256(bytes): the digest a registry names `bytes` by.
std::string Sha256Digest(std::string_view bytes);

// OK for "sha256:" followed by exactly 64 lower-case hex digits; kInvalidArgument saying what
// is wrong otherwise (another algorithm such as sha512 is refused: cosign signs sha256 only).
Status ValidateDigest(std::string_view digest);

// Parse `bytes` (at most `max_bytes`, else kInvalidArgument naming the limit) as a manifest of
// the media types above. Every descriptor (config, layers, subject) must have a media type, a
// valid digest and a size >= 0; annotations must map strings to strings. An index, a schema 1
// manifest or any other media type is kInvalidArgument naming it. Never throws.
Result<Manifest> ParseManifest(std::string_view bytes, std::size_t max_bytes);

// The same for an index (OCI index or Docker manifest list).
Result<Index> ParseIndex(std::string_view bytes, std::size_t max_bytes);

// The answer of GET /v2/<name>/referrers/<digest>, or the fallback tag sha256-<hex>: an OCI
// index (mediaType kOciIndex or absent; a Docker list is refused).
Result<Index> ParseReferrers(std::string_view bytes, std::size_t max_bytes);

}  // namespace csp::signature
