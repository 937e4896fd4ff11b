// Test support for the runc tests: OCI bundles around Debian's busybox-static, made without an
// image registry, and runc run on them.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "subprocess.h"

namespace csp::record::test {

// Why runc tests cannot run here (not root, no runc in PATH, no static /bin/busybox), or empty.
std::string RuncUnavailable();

// A root filesystem in `dir`: /bin/busybox (the static one) and a link for each of its applets.
// Returns an error message, or empty.
std::string MakeBusyboxRootfs(const std::filesystem::path& dir);

// config.json in `bundle`, from `runc spec`: `args`, no terminal, root at `rootfs` (read-only;
// /dev/shm is a writable tmpfs), linux.seccomp set to `seccomp` when given, `mounts` added.
// Returns an error message, or empty.
std::string WriteBundle(const std::filesystem::path& bundle, const std::filesystem::path& rootfs,
                        const std::vector<std::string>& args,
                        const std::optional<nlohmann::json>& seccomp,
                        const nlohmann::json& mounts = nlohmann::json::array());

// `runc run` on `bundle` under a fresh container id; stdout and stderr captured.
csp::test::CommandResult RunBundle(const std::filesystem::path& bundle, int timeout_seconds = 60);

}  // namespace csp::record::test
