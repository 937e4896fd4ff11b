// What containerd puts into the OCI spec for a Pod with a Localhost seccomp profile. kubelet
// passes the file's path in the CRI request; containerd's CRI plugin reads the file and
// json.Unmarshals it into the runtime-spec struct `LinuxSeccomp` (contrib/seccomp WithProfile),
// which the shim then marshals into config.json for runc. Go's decoder keeps only the struct's
// fields (matched case-insensitively), drops every other key without a word (Docker's archMap,
// includes, excludes, minKernel), and fails the container on a value of the wrong type.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "csp/common/result.h"

namespace csp::runtime_test {

// The `linux.seccomp` object of config.json for the profile file's text, as containerd 1.6/1.7
// writes it; an error where containerd would refuse to create the container.
Result<nlohmann::json> ContainerdLinuxSeccomp(const std::string& profile_text);

}  // namespace csp::runtime_test
