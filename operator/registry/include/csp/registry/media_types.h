// The manifest media types of OCI and Docker, and the Accept header that asks for any of them.
#pragma once

#include <string_view>

namespace csp::registry {

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";

inline constexpr std::string_view kManifestAccept =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

// Whether `media_type` (parameters such as "; charset=utf-8" ignored) is one of the four.
bool IsManifestMediaType(std::string_view media_type);
// "application/json; charset=utf-8" -> "application/json" (parameters and spaces dropped).
std::string_view BareMediaType(std::string_view content_type);

}  // namespace csp::registry
