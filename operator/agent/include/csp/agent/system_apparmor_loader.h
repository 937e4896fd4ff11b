// AppArmorLoader on a real node: apparmor_parser and the kernel's files under a root (the
// node's /, or the host's root mounted into the agent's container; a test's temp dir).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "csp/agent/apparmor_loader.h"

namespace csp::agent {

struct SystemAppArmorOptions {
  std::filesystem::path parser = "/usr/sbin/apparmor_parser";
  // Root under which sys/module/apparmor/parameters/enabled and
  // sys/kernel/security/apparmor/profiles are read. When it is not "/", the parser is pointed
  // at the same apparmorfs (--subdomainfs), so that what it loads is what we confirm.
  // AppArmor is available when the module parameter says Y or, without the parameter (a
  // container that mounts only the host's securityfs), when sys/kernel/security/apparmor exists.
  std::filesystem::path sys_root = "/";
  // Extra include search paths (-I) for policies that include tunables or abstractions.
  std::vector<std::filesystem::path> include_dirs = {};
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
};

class SystemAppArmorLoader final : public AppArmorLoader {
 public:
  explicit SystemAppArmorLoader(SystemAppArmorOptions options) : options_(std::move(options)) {}

  AppArmorAvailability Availability() override;
  Result<std::vector<std::string>> Validate(std::string_view policy) override;
  Status Load(const std::filesystem::path& file, std::string_view profile_name) override;
  Result<bool> IsLoaded(std::string_view profile_name) override;
  Status Unload(std::string_view profile_name) override;

 private:
  // parser, common flags (-K, -I ..., --subdomainfs ...), then `flags`.
  std::vector<std::string> Command(std::initializer_list<std::string> flags) const;
  std::filesystem::path EnabledFile() const;
  std::filesystem::path ProfilesFile() const;

  SystemAppArmorOptions options_;
};

// Parses the kernel's profile list ("name (enforce)" per line) into names.
std::vector<std::string> ParseLoadedProfiles(std::string_view text);

}  // namespace csp::agent
