// Puts rendered profiles where kubelet and AppArmor look for them, under a root folder (the
// node's /, or a test's temp dir):
//   seccomp   <root>/var/lib/kubelet/seccomp/containersecurity/<name>.json
//             (pods: seccompProfile {type: Localhost, localhostProfile:
//             containersecurity/<name>.json})
//   AppArmor  <root>/etc/apparmor.d/containersecurity/<name>
// Writes are atomic and happen only when the bytes differ, so a resync or a restart rewrites
// nothing that is already right. Every method is safe to call again after a failure.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/profiles/profile_kind.h"

namespace csp::agent {

struct ProfileLayout {
  std::filesystem::path seccomp_dir = {};
  std::filesystem::path apparmor_dir = {};

  // The standard layout below `root`.
  static ProfileLayout ForRoot(const std::filesystem::path& root);
};

enum class WriteOutcome { kWritten, kUnchanged };
enum class RemoveOutcome { kRemoved, kAbsent };

class ProfileWriter {
 public:
  explicit ProfileWriter(ProfileLayout layout) : layout_(std::move(layout)) {}

  const ProfileLayout& layout() const { return layout_; }
  const std::filesystem::path& DirFor(profiles::ProfileKind kind) const;
  // The file of profile `name`; refuses names that could leave the folder.
  Result<std::filesystem::path> PathFor(profiles::ProfileKind kind, std::string_view name) const;

  // Writes the profile unless the file already holds exactly these bytes. Creates the folder
  // (0755) when missing; files are 0644.
  Result<WriteOutcome> Write(const profiles::RenderedProfile& profile);
  // The current bytes of profile `name`, nullopt when it is not installed.
  Result<std::optional<std::string>> Read(profiles::ProfileKind kind, std::string_view name) const;
  Result<RemoveOutcome> Remove(profiles::ProfileKind kind, std::string_view name);
  // Names of the profiles of `kind` in the folder (temp files and foreign files excluded),
  // sorted, so that a resync can remove the ones no object asks for.
  Result<std::vector<std::string>> List(profiles::ProfileKind kind) const;
  // Removes temp files a crashed run left behind; returns how many. Call at start-up.
  Result<int> ReapStaleTempFiles();

 private:
  ProfileLayout layout_;
};

}  // namespace csp::agent
