#include "csp/profiles/default_profiles.h"

#include <optional>

#include "csp/manifest/manifest_reader.h"
#include "csp/names/names.h"
#include "csp/profiles/profile_name.h"
#include "csp/profiles/seccomp_source.h"
#include "embedded_profiles.h"

namespace csp::profiles {
namespace {

constexpr std::string_view kSeccompSourceFile = "csp-default.seccomp.yaml";

Result<SeccompSource> LoadDefaultSeccompSource() {
  std::optional<nlohmann::json> document;
  std::optional<Error> error;
  manifest::Limits limits;
  limits.threads = 1;
  manifest::ParseManifests(
      embedded::kDefaultSeccompSource, kSeccompSourceFile, limits,
      [&](manifest::Document&& d) {
        if (!d.value.is_null() && !document) document = std::move(d.value);
      },
      [&](manifest::ReadError&& e) {
        if (!error) error = Internal(e.ToString());
      });
  if (error) return *error;
  if (!document) return Internal(std::string(kSeccompSourceFile) + ": empty");
  return ParseSeccompSource(*document, kSeccompSourceFile);
}

}  // namespace

std::string_view DefaultSeccompSourceText() { return embedded::kDefaultSeccompSource; }
std::string_view DefaultAppArmorText() { return embedded::kDefaultAppArmor; }

Result<RenderedProfile> RenderDefaultSeccomp(const RenderTarget& target) {
  // Parsed on each call: rendering happens at start-up and on resyncs, and keeping no parsed
  // copy keeps the agent's resident memory small.
  CSP_TRY(SeccompSource source, LoadDefaultSeccompSource());
  CSP_TRY(SeccompProfile profile, RenderSeccompSource(source, target));
  return RenderedProfile{.kind = ProfileKind::kSeccomp,
                         .name = std::string(names::kDefaultProfileName),
                         .bytes = SeccompProfileToJson(profile)};
}

RenderedProfile RenderDefaultAppArmor() {
  return RenderedProfile{.kind = ProfileKind::kAppArmor,
                         .name = std::string(names::kDefaultProfileName),
                         .bytes = std::string(embedded::kDefaultAppArmor)};
}

Result<std::vector<RenderedProfile>> RenderDefaultProfiles(const RenderTarget& target) {
  CSP_TRY(RenderedProfile seccomp, RenderDefaultSeccomp(target));
  return std::vector<RenderedProfile>{std::move(seccomp), RenderDefaultAppArmor()};
}

}  // namespace csp::profiles
