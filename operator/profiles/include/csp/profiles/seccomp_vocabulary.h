// The names a seccomp profile may use, as OCI runtime-spec and libseccomp spell them. The
// SecurityProfile CRD carries the same lists as enums (tests/agent checks they agree).
#pragma once

#include <span>
#include <string_view>

namespace csp::profiles {

// SCMP_ACT_*. SCMP_ACT_NOTIFY is left out: it needs a listener socket (OCI listenerPath) that
// kubelet has no way to configure, and runc refuses the profile without one.
std::span<const std::string_view> SeccompActions();
// SCMP_CMP_*.
std::span<const std::string_view> SeccompOperators();
// SCMP_ARCH_*.
std::span<const std::string_view> SeccompArchitectures();
// CAP_* names the kernel knows, in bit order (index i is capability bit i; capability.h, up
// to CAP_CHECKPOINT_RESTORE).
std::span<const std::string_view> CapabilityNames();

bool Contains(std::span<const std::string_view> list, std::string_view name);

// Actions that return an errno to the caller, the only ones errnoRet applies to.
bool ActionTakesErrno(std::string_view action);

}  // namespace csp::profiles
