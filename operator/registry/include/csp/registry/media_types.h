// The manifest media types of OCI and Docker, and the Accept header that asks for any of them.
#pragma once

#include <string_view>

#include "csp/signature/oci_manifest.h"

namespace csp::registry {

// The four manifest media types, stated once in csp::signature, which parses those documents.
using signature::media_types::kDockerManifest;
using signature::media_types::kDockerManifestList;
using signature::media_types::kOciIndex;
using signature::media_types::kOciManifest;

inline constexpr std::string_view kManifestAccept =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

// Whether `media_type` (parameters such as "; charset=utf-8" ignored) is one of the four.
bool IsManifestMediaType(std::string_view media_type);
// "application/json; charset=utf-8" -> "application/json" (parameters and spaces dropped).
std::string_view BareMediaType(std::string_view content_type);

}  // namespace csp::registry
