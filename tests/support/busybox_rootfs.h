// A root filesystem for `runc run` from Debian's busybox-static (/bin/busybox and a symlink per
// applet; no image registry), shared by the runtime and the recording tests.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace csp::test {

// Why containers cannot run here (not root, runc missing, no static busybox), or nothing.
std::optional<std::string> RuncUnavailable();

// bin/busybox, a link per applet and the empty mount points (proc, dev, sys, run, tmp, etc) in
// `dir`. Returns an error message, or empty.
std::string MakeBusyboxRootfs(const std::filesystem::path& dir);

}  // namespace csp::test
