// cspctl's registry flags (--registry-config, --registry-ca, --insecure-registry) and the
// verifier they set up, shared by `scan --verify-images` and `images`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/imageverify/registry_verifier.h"
#include "csp/registry/client.h"
#include "csp/registry/credentials.h"
#include "flag_reader.h"

namespace cspctl {

struct RegistryFlags {
  std::string config_file = {};  // --registry-config; else ~/.docker/config.json if present
  std::string ca_file = {};      // --registry-ca: PEM bundle added to the system CAs
  std::vector<std::string> insecure_hosts = {};  // --insecure-registry: plain HTTP
};

inline constexpr const char* kRegistryFlagsUsage =
    R"(      --registry-config FILE  docker config.json with registry credentials (default
                              ~/.docker/config.json when it exists)
      --registry-ca FILE      PEM CA bundle trusted besides the system CAs
      --insecure-registry HOST  reach HOST (host[:port] as in image references) over plain
                              HTTP; repeatable
)";

enum class FlagParse { kNotMine, kTaken, kMissingValue };

// Handles the reader's current flag when it is a registry flag.
FlagParse ParseRegistryFlag(FlagReader& args, RegistryFlags& flags);

// The client, keychain and verifier the flags describe. kInvalidArgument (naming the file) for
// an unreadable or invalid config or CA file.
struct RegistryAccess {
  csp::registry::Keychain keychain;
  csp::imageverify::RegistryVerifier registry;
};
csp::Result<std::unique_ptr<RegistryAccess>> OpenRegistryAccess(const RegistryFlags& flags);

}  // namespace cspctl
