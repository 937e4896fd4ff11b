// Test support for the runc tests: OCI bundles around a busybox root filesystem
// (tests/support/busybox_rootfs.h), and runc run on them.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "busybox_rootfs.h"
#include "subprocess.h"

namespace csp::record::test {

using csp::test::MakeBusyboxRootfs;
using csp::test::RuncUnavailable;

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
