// The OCI runtime config a recording runs: the workload's own config.json with its seccomp
// replaced by one that notifies the recorder of every syscall. Pure.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "csp/common/result.h"

namespace csp::record {

// linux.seccomp for a recording: every name in `known_names` (all the syscalls libseccomp knows
// for `architectures`) gets SCMP_ACT_NOTIFY with listenerPath `listener`, except kNotNotifiable and
// kRuntimeNeeds (SCMP_ACT_ALLOW: runc 1.1 refuses to notify the first, and may call the second
// before it has handed over the notify fd; every recorded profile allows both). runc 1.1 also
// refuses SCMP_ACT_NOTIFY as the default action, so the default is SCMP_ACT_ERRNO with ENOSYS: only
// a syscall libseccomp does not know takes it, which is what a kernel without that syscall would
// answer.
nlohmann::json RecordingSeccomp(const std::vector<std::string>& known_names,
                                const std::vector<std::string>& architectures,
                                const std::string& listener);

// `spec` (a bundle's config.json, found in `bundle`) made into the recording's: root.path made
// absolute (the recording's config lives in another folder), process.args replaced by `args`
// unless empty, process.terminal off (the recorder passes its own stdio), linux.seccomp set to
// `seccomp`. An error names a missing or mistyped field.
Result<nlohmann::json> RecordingSpec(nlohmann::json spec, const std::filesystem::path& bundle,
                                     const std::vector<std::string>& args,
                                     const nlohmann::json& seccomp);

}  // namespace csp::record
