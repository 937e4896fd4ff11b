#include "csp/profiles/security_profile_file.h"

#include <optional>
#include <string>

#include "csp/manifest/manifest_reader.h"

namespace csp::profiles {

Result<SecurityProfile> ParseSecurityProfileText(std::string_view text, std::string_view file) {
  const std::string where(file);
  std::optional<manifest::Document> found;
  std::optional<Error> error;
  int documents = 0;
  manifest::Limits limits;
  limits.threads = 1;  // one small file: no worker threads
  manifest::ParseManifests(
      text, file, limits,
      [&](manifest::Document&& document) {
        if (document.value.is_null()) return;
        if (++documents == 1) found = std::move(document);
      },
      [&](manifest::ReadError&& read_error) {
        if (!error) error = InvalidArgument(read_error.ToString());
      });
  if (error) return *error;
  if (documents != 1 || !found) {
    return InvalidArgument(where + ": holds " + std::to_string(documents) +
                           " documents; give exactly one SecurityProfile");
  }
  Result<SecurityProfile> profile = ParseSecurityProfile(found->value);
  if (!profile) {
    return InvalidArgument(where + ":" + std::to_string(found->line) + ": " +
                           profile.error().message);
  }
  return profile;
}

}  // namespace csp::profiles
