// Small pure helpers shared by controls: globs, paths, capabilities, images, RFC 3339 times.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "csp/common/rfc3339.h"  // ParseRfc3339, FormatRfc3339: exemptions' expires

namespace csp::policy {

// `*` matches any run of characters (the empty one too); anchored at both ends.
bool GlobMatch(std::string_view pattern, std::string_view text);

// Collapses repeated '/', drops '.', resolves '..' lexically ('..' at the root stays there),
// drops a trailing '/'. A relative path stays relative (no leading '/').
std::string NormalizePath(std::string_view path);
bool IsAbsolutePath(std::string_view path);
// Whether normalized `path` equals normalized `prefix` or lies below it, by whole components.
bool PathHasPrefix(std::string_view path, std::string_view prefix);

// "cap_sys_admin", "CAP_SYS_ADMIN", "SYS_ADMIN" -> "SYS_ADMIN".
std::string NormalizeCapability(std::string_view name);
// Letters, digits and '_' only, not empty (after dropping an optional CAP_ prefix).
bool IsCapabilityName(std::string_view name);

// An image reference split per controls.md: "nginx" -> {docker.io, library/nginx}.
struct ImageRef {
  std::string host = {};  // lower-case, port included
  std::string path = {};
  std::string tag = {};
  std::string digest = {};  // everything after '@', as written
};
ImageRef ParseImageRef(std::string_view image);
// "sha256:" followed by 64 lower-case hex digits.
bool IsValidDigest(std::string_view digest);
// Normalizes an allowedRegistries entry ("docker.io/library", "GHCR.io/acme/").
std::string NormalizeRegistryPrefix(std::string_view entry);
// Whether `prefix` (normalized) equals host/path or is a prefix of it ending at a '/'.
bool RegistryAllows(std::string_view prefix, const ImageRef& image);

}  // namespace csp::policy
