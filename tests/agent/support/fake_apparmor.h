// Test support: the kernel side of AppArmor in memory. Records what the code above the seam asks
// for; validation is lexical (policy text holding "bogus" is refused). Tests that need the real
// parser use SystemAppArmorLoader.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "csp/agent/apparmor_loader.h"
#include "csp/profiles/apparmor_policy.h"

namespace csp::agent::test {

class FakeAppArmor final : public AppArmorLoader {
 public:
  bool available = true;
  std::set<std::string> loaded;
  std::vector<std::string> calls;
  std::optional<Error> load_error;

  AppArmorAvailability Availability() override {
    return {.available = available,
            .reason = available ? "" : "AppArmor not available on this node: test"};
  }
  Result<std::vector<std::string>> Validate(std::string_view policy) override {
    calls.push_back("validate");
    if (policy.find("bogus") != std::string_view::npos) {
      return InvalidArgument("apparmor_parser refused the policy: bogus");
    }
    return profiles::DeclaredProfileNames(policy);
  }
  Status Load(const std::filesystem::path& file, std::string_view name) override {
    calls.push_back("load " + file.filename().string());
    if (load_error) return *load_error;
    loaded.insert(std::string(name));
    return {};
  }
  Result<bool> IsLoaded(std::string_view name) override {
    return loaded.contains(std::string(name));
  }
  Status Unload(std::string_view name) override {
    calls.push_back("unload " + std::string(name));
    loaded.erase(std::string(name));
    return {};
  }
};

}  // namespace csp::agent::test
