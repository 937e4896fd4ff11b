// Installing and removing profiles on one node: what an agent loop calls for each desired
// profile, for each deleted one, and for a resync. Seccomp profiles are files; AppArmor
// profiles are files validated by the real parser before they are written, then loaded into the
// kernel and confirmed there. Each call reports a state for the node's status instead of
// throwing errors at the loop.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "csp/agent/apparmor_loader.h"
#include "csp/agent/profile_writer.h"
#include "csp/profiles/profile_kind.h"

namespace csp::agent {

enum class InstallState {
  kInstalled,    // written (and, for AppArmor, loaded) by this call
  kUnchanged,    // already right: nothing written or loaded
  kFailed,       // not installed; `message` says why (a broken profile, an I/O error)
  kUnsupported,  // AppArmor profile on a node without AppArmor: nothing to do there
};

struct InstallResult {
  InstallState state = InstallState::kFailed;
  std::string message = {};
};

struct RemoveResult {
  std::string name = {};
  bool removed = false;    // a file was there and is gone
  std::string error = {};  // empty on success
};

class ProfileInstaller {
 public:
  ProfileInstaller(ProfileWriter& writer, AppArmorLoader& apparmor)
      : writer_(writer), apparmor_(apparmor) {}

  // Makes the node hold `profile`. A broken AppArmor profile is refused before anything is
  // written: the previous version, if any, stays installed and loaded.
  InstallResult Install(const profiles::RenderedProfile& profile);
  // Removes profile `name` (and unloads it, for AppArmor).
  RemoveResult Remove(profiles::ProfileKind kind, std::string_view name);
  // Removes every installed profile of `kind` not in `wanted` (deleted objects, strays).
  Result<std::vector<RemoveResult>> RemoveAllExcept(profiles::ProfileKind kind,
                                                    const std::set<std::string>& wanted);

 private:
  InstallResult InstallAppArmor(const profiles::RenderedProfile& profile);

  ProfileWriter& writer_;
  AppArmorLoader& apparmor_;
};

}  // namespace csp::agent
