#include "csp/registry/media_types.h"

namespace csp::registry {

std::string_view BareMediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  return content_type;
}

bool IsManifestMediaType(std::string_view media_type) {
  const std::string_view bare = BareMediaType(media_type);
  return bare == kOciManifest || bare == kOciIndex || bare == kDockerManifest ||
         bare == kDockerManifestList;
}

}  // namespace csp::registry
