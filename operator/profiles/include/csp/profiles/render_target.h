// The node (and the containers) a profile is rendered for: the conditions of the default
// seccomp source are resolved against this.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::profiles {

struct KernelVersion {
  unsigned major = 0;
  unsigned minor = 0;

  friend auto operator<=>(const KernelVersion&, const KernelVersion&) = default;
};

struct RenderTarget {
  // The node's machine as `uname -m` prints it (x86_64, aarch64, ...); see NormalizeMachine.
  std::string machine = {};
  // Unknown: rules that need a minimum kernel stay off.
  std::optional<KernelVersion> kernel = {};
  // CAP_* names the containers hold; empty renders for containers without extra capabilities.
  std::set<std::string> capabilities = {};
};

// Maps the Go/Kubernetes spelling (the kubernetes.io/arch label: amd64, arm64, arm, loong64) to
// the kernel's (x86_64, aarch64, armv7l, loongarch64); other names pass through lower-cased.
std::string NormalizeMachine(std::string_view machine);

// "6.1.0-18-amd64" or "4.8" -> {6, 1} / {4, 8}; anything else is an error naming the text.
Result<KernelVersion> ParseKernelVersion(std::string_view release);

// "sys_admin", "SYS_ADMIN", "cap_sys_admin" -> "CAP_SYS_ADMIN"; a name the kernel does not know
// is an error.
Result<std::string> NormalizeCapability(std::string_view name);

}  // namespace csp::profiles
