// The seam between the agent and the kernel's AppArmor: validating policy text, loading,
// checking and unloading profiles. SystemAppArmorLoader does it with apparmor_parser; tests of
// code above the seam use a fake.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"

namespace csp::agent {

struct AppArmorAvailability {
  bool available = false;
  std::string reason = {};  // why not, when not: "AppArmor not available on this node: ..."
};

class AppArmorLoader {
 public:
  virtual ~AppArmorLoader() = default;

  // Whether this node's kernel enforces AppArmor. Not having it is a state, not an error.
  virtual AppArmorAvailability Availability() = 0;
  // Parses and compiles `policy` without loading it (apparmor_parser -Q -K) and returns the
  // names of the profiles it declares, children as "parent//child". A broken policy is a
  // kInvalidArgument error carrying the parser's message.
  virtual Result<std::vector<std::string>> Validate(std::string_view policy) = 0;
  // Loads or replaces the profiles in `file` (apparmor_parser -r -K) and confirms that
  // `profile_name` is in the kernel's list afterwards.
  virtual Status Load(const std::filesystem::path& file, std::string_view profile_name) = 0;
  // Whether `profile_name` is in the kernel's list of loaded profiles.
  virtual Result<bool> IsLoaded(std::string_view profile_name) = 0;
  // Removes `profile_name` from the kernel; not being loaded is not an error.
  virtual Status Unload(std::string_view profile_name) = 0;
};

}  // namespace csp::agent
