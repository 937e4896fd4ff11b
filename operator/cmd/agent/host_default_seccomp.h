// csp-default seccomp rendered for this machine: the baseline `csp-agent record` diffs against
// and the architectures a recording filter covers (native first).
#pragma once

#include "csp/common/result.h"
#include "csp/profiles/seccomp_profile.h"

namespace csp::agent::cmd {

Result<profiles::SeccompProfile> HostDefaultSeccomp();

}  // namespace csp::agent::cmd
