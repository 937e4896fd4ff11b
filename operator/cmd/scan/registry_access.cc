#include "registry_access.h"

#include <cstdlib>
#include <filesystem>

#include "csp/manifest/sources.h"

namespace cspctl {

FlagParse ParseRegistryFlag(FlagReader& args, RegistryFlags& flags) {
  const std::string& name = args.name();
  std::string* target = nullptr;
  if (name == "--registry-config") {
    target = &flags.config_file;
  } else if (name == "--registry-ca") {
    target = &flags.ca_file;
  } else if (name != "--insecure-registry") {
    return FlagParse::kNotMine;
  }
  if (!args.Take() || args.value().empty()) return FlagParse::kMissingValue;
  if (target != nullptr) {
    *target = args.value();
  } else {
    flags.insecure_hosts.push_back(args.value());
  }
  return FlagParse::kTaken;
}

csp::Result<std::unique_ptr<RegistryAccess>> OpenRegistryAccess(const RegistryFlags& flags) {
  auto access = std::make_unique<RegistryAccess>();
  std::string config_file = flags.config_file;
  if (config_file.empty()) {
    const char* home = std::getenv("HOME");
    std::filesystem::path p = home ? std::filesystem::path(home) / ".docker/config.json" : "";
    std::error_code ec;
    if (!p.empty() && std::filesystem::is_regular_file(p, ec)) config_file = p.string();
  }
  if (!config_file.empty()) {
    auto text = csp::manifest::ReadFile(config_file);
    if (!text) return text.error();  // names the file
    if (csp::Status s = access->keychain.Add(*text); !s) {
      return csp::InvalidArgument(config_file + ": " + s.error().message);
    }
  }
  csp::registry::ClientOptions options;
  if (!flags.ca_file.empty()) {
    auto pem = csp::manifest::ReadFile(flags.ca_file);
    if (!pem) return pem.error();
    options.tls.ca_bundle_pem = std::move(*pem);
  }
  auto opened = csp::imageverify::OpenRegistryVerifier(std::move(options), flags.insecure_hosts,
                                                       csp::kube::SteadyClock());
  if (!opened) {
    const std::string where = flags.ca_file.empty() ? "registry client" : flags.ca_file;
    return csp::InvalidArgument(where + ": " + opened.error().message);
  }
  access->registry = std::move(*opened);
  return access;
}

}  // namespace cspctl
