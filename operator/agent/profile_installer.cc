#include "csp/agent/profile_installer.h"

#include "csp/profiles/apparmor_policy.h"
#include "csp/profiles/profile_name.h"
#include "csp/profiles/quote.h"

namespace csp::agent {
namespace {

InstallResult Failed(std::string message) {
  return {.state = InstallState::kFailed, .message = std::move(message)};
}

// The parser lists children as "parent//child"; only top-level profiles can collide with
// profiles that are not ours.
std::vector<std::string> TopLevel(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    if (name.find("//") == std::string::npos) out.push_back(name);
  }
  return out;
}

}  // namespace

InstallResult ProfileInstaller::Install(const profiles::RenderedProfile& profile) {
  if (Status s = profiles::ValidateProfileName(profile.name); !s) return Failed(s.error().message);
  if (profile.kind == profiles::ProfileKind::kAppArmor) return InstallAppArmor(profile);
  Result<WriteOutcome> written = writer_.Write(profile);
  if (!written) return Failed(written.error().message);
  if (*written == WriteOutcome::kUnchanged) return {.state = InstallState::kUnchanged};
  return {.state = InstallState::kInstalled};
}

InstallResult ProfileInstaller::InstallAppArmor(const profiles::RenderedProfile& profile) {
  if (Status s = profiles::CheckAppArmorPolicy(profile.name, profile.bytes, "AppArmor policy");
      !s) {
    return Failed(s.error().message);
  }
  const AppArmorAvailability availability = apparmor_.Availability();
  if (availability.available) {
    // Already right: the same bytes on disk and the profile in the kernel. A reboot empties
    // the kernel's list, so the same file may still need loading.
    Result<std::optional<std::string>> existing = writer_.Read(profile.kind, profile.name);
    if (existing && existing->has_value() && **existing == profile.bytes) {
      Result<bool> loaded = apparmor_.IsLoaded(profile.name);
      if (loaded && *loaded) return {.state = InstallState::kUnchanged};
    }
  }

  // The parser sees the policy before anything touches the disk: a broken profile is never
  // written, and the version already installed stays in place.
  Result<std::vector<std::string>> names = apparmor_.Validate(profile.bytes);
  if (!names) {
    if (!availability.available && names.error().code != Code::kInvalidArgument) {
      return {.state = InstallState::kUnsupported, .message = availability.reason};
    }
    return Failed(names.error().message);
  }
  const std::vector<std::string> top_level = TopLevel(*names);
  if (top_level != std::vector<std::string>{profile.name}) {
    // One object, one kernel profile: a second one could replace a profile that is not ours.
    return Failed(
        "AppArmor policy " + profiles::Quote(profile.name) +
        " must declare exactly one top-level profile, named " + profile.name +
        " (it declares: " + (top_level.empty() ? "none" : profiles::JoinComma(top_level)) + ")");
  }
  if (!availability.available) {
    return {.state = InstallState::kUnsupported, .message = availability.reason};
  }

  Result<WriteOutcome> written = writer_.Write(profile);
  if (!written) return Failed(written.error().message);
  Result<std::filesystem::path> path = writer_.PathFor(profile.kind, profile.name);
  if (!path) return Failed(path.error().message);
  if (Status s = apparmor_.Load(*path, profile.name); !s) return Failed(s.error().message);
  return {.state = InstallState::kInstalled};
}

RemoveResult ProfileInstaller::Remove(profiles::ProfileKind kind, std::string_view name) {
  RemoveResult result{.name = std::string(name)};
  if (Status s = profiles::ValidateProfileName(name); !s) {
    result.error = s.error().message;
    return result;
  }
  if (kind == profiles::ProfileKind::kAppArmor && apparmor_.Availability().available) {
    if (Status s = apparmor_.Unload(name); !s) {
      result.error = s.error().message;
      return result;
    }
  }
  Result<RemoveOutcome> removed = writer_.Remove(kind, name);
  if (!removed) {
    result.error = removed.error().message;
  } else {
    result.removed = *removed == RemoveOutcome::kRemoved;
  }
  return result;
}

Result<std::vector<RemoveResult>> ProfileInstaller::RemoveAllExcept(
    profiles::ProfileKind kind, const std::set<std::string>& wanted) {
  CSP_TRY(std::vector<std::string> installed, writer_.List(kind));
  std::vector<RemoveResult> results;
  for (const std::string& name : installed) {
    if (!wanted.contains(name)) results.push_back(Remove(kind, name));
  }
  return results;
}

}  // namespace csp::agent
