// A seccomp profile in the plain OCI runtime-spec shape (specs.LinuxSeccomp), which is all that
// containerd and CRI-O read from a Localhost profile file: parsed with validation, and written
// back as the JSON a node gets.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "csp/common/result.h"

namespace csp::profiles {

struct SeccompArg {
  unsigned index = 0;  // 0..5
  std::uint64_t value = 0;
  std::uint64_t value_two = 0;  // the datum for SCMP_CMP_MASKED_EQ (value is the mask)
  std::string op = {};          // SCMP_CMP_*

  friend bool operator==(const SeccompArg&, const SeccompArg&) = default;
};

struct SeccompRule {
  std::vector<std::string> names = {};
  std::string action = {};                 // SCMP_ACT_*
  std::optional<unsigned> errno_ret = {};  // only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE
  std::vector<SeccompArg> args = {};       // all must hold (AND)

  friend bool operator==(const SeccompRule&, const SeccompRule&) = default;
};

struct SeccompProfile {
  std::string default_action = {};
  std::optional<unsigned> default_errno_ret = {};
  std::vector<std::string> architectures = {};  // SCMP_ARCH_*; empty: the runtime's native one
  std::vector<SeccompRule> syscalls = {};

  friend bool operator==(const SeccompProfile&, const SeccompProfile&) = default;
};

// Bounds on what a profile may hold, also in the CRD schema.
inline constexpr std::size_t kMaxSeccompRules = 1024;
inline constexpr std::size_t kMaxSeccompNamesPerRule = 1024;
inline constexpr std::size_t kMaxSyscallNameBytes = 64;
inline constexpr unsigned kMaxErrno = 4095;  // MAX_ERRNO: larger values are not errnos

// Parses and validates a profile body (OCI keys only: an unknown key is an error, since
// silently dropping it is how conditional rules turn into allows). `path` names the object in
// messages, e.g. "spec.seccomp" gives
//   spec.seccomp.syscalls[3].action: "SCMP_ACT_FOO" is not a seccomp action (one of ...)
Result<SeccompProfile> ParseSeccompProfile(const nlohmann::json& body, const std::string& path);

// One rule: names, action, errnoRet, args. `path` is the rule's, e.g. "spec.seccomp.syscalls[3]".
Result<SeccompRule> ParseSeccompRule(const nlohmann::json& rule, const std::string& path);

// The file a node gets: OCI keys in OCI order (defaultAction, defaultErrnoRet, architectures,
// syscalls; names, action, errnoRet, args), two-space indentation, a final newline. Deterministic:
// the same profile always gives the same bytes.
std::string SeccompProfileToJson(const SeccompProfile& profile);

}  // namespace csp::profiles
