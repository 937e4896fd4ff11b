// Reading what the syscall probe printed, and what a profile says a denied call returns.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace csp::runtime_test {

// "NAME ERRNO" lines -> NAME: ERRNO (0 for success). Other lines are ignored.
std::map<std::string, int> ParseProbeOutput(const std::string& out);

// The errno an OCI seccomp profile makes `syscall` fail with when no allow rule matches it: the
// errnoRet of an argument-free SCMP_ACT_ERRNO rule naming it, else defaultErrnoRet; EPERM when
// that is absent (runc's default). Nothing when the action in question is not SCMP_ACT_ERRNO.
std::optional<int> ProfileErrno(const nlohmann::json& linux_seccomp, const std::string& syscall);

}  // namespace csp::runtime_test
