#include "csp/registry/reference.h"

#include <algorithm>

#include "csp/policy/text.h"

namespace csp::registry {
namespace {

// Distribution's path grammar, loosely: lower-case alphanumerics and the separators '.', '_',
// '-' and '/'. Enough to keep anything odd out of a request target.
bool IsRepositoryPath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  if (path.find("//") != std::string_view::npos) return false;
  return std::all_of(path.begin(), path.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
           c == '/';
  });
}

bool IsTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || tag.front() == '.' || tag.front() == '-') return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool IsDigest(std::string_view digest) {
  const std::size_t colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == digest.size()) return false;
  const std::string_view hex = digest.substr(colon + 1);
  return std::all_of(digest.begin(), digest.begin() + colon,
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }) &&
         std::all_of(hex.begin(), hex.end(),
                     [](char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); });
}

}  // namespace

std::string ApiHost(std::string_view host) {
  if (host == "docker.io" || host == "index.docker.io") return "registry-1.docker.io";
  return std::string(host);
}

Result<Reference> ParseReference(std::string_view image) {
  if (image.empty()) return InvalidArgument("empty image reference");
  const policy::ImageRef parsed = policy::ParseImageRef(image);
  const std::string quoted = "image \"" + std::string(image) + "\": ";
  if (!IsRepositoryPath(parsed.path)) return InvalidArgument(quoted + "invalid repository path");
  if (!parsed.tag.empty() && !IsTag(parsed.tag)) return InvalidArgument(quoted + "invalid tag");
  if (!parsed.digest.empty() && !IsDigest(parsed.digest)) {
    return InvalidArgument(quoted + "invalid digest");
  }
  Reference ref{.host = parsed.host,
                .api_host = ApiHost(parsed.host),
                .repository = parsed.path,
                .tag = parsed.tag,
                .digest = parsed.digest};
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace csp::registry
