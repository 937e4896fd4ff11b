// The SecurityProfile a recording produces, and the merge of several: an allow-list of the
// syscalls seen, everything else EPERM. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/profiles/security_profile.h"
#include "csp/record/syscall_record.h"

namespace csp::record {

// Allowed in every recorded profile although a recording cannot see them: runc 1.1 refuses
// SCMP_ACT_NOTIFY for write(2) (its init writes the listener fd number to its parent after the
// filter is loaded), so the recording filter allows write without notifying.
inline constexpr std::string_view kAlwaysNeeded[] = {"write"};

struct RecordedProfileOptions {
  std::string name = {};  // metadata.name
  // The SCMP_ARCH_* names the profile's filter covers, native first (those of the recording
  // filter). Empty: the architectures seen, in sorted order.
  std::vector<std::string> architectures = {};
};

// A Seccomp SecurityProfile: defaultAction SCMP_ACT_ERRNO with defaultErrnoRet 1 (EPERM), and
// one SCMP_ACT_ALLOW rule with every name seen on any architecture plus kAlwaysNeeded, sorted.
// An OCI profile's names apply to all of its architectures, so the per-architecture sets are
// united.
profiles::SecurityProfile BuildRecordedProfile(const SyscallNames& seen,
                                               const RecordedProfileOptions& options);

// The union of recorded profiles (as BuildRecordedProfile makes them): the names of every
// profile, the architectures of every profile in order of first appearance, named `name`
// (empty: the first profile's name). A profile that is not Seccomp, whose default action is not
// SCMP_ACT_ERRNO, or that has a rule other than a plain SCMP_ACT_ALLOW without args is refused:
// a union of conditional rules is not the union of what they allow.
Result<profiles::SecurityProfile> MergeRecordedProfiles(
    const std::vector<profiles::SecurityProfile>& recorded, const std::string& name);

// The SecurityProfile as YAML for `kubectl apply`: `comment` (may be several lines) first as
// `# ` lines, then apiVersion, kind, metadata.name, spec.type, spec.nodeSelector and
// spec.seccomp with names wrapped at 100 columns. Deterministic. Seccomp profiles only.
std::string SecurityProfileYaml(const profiles::SecurityProfile& profile, std::string_view comment);

}  // namespace csp::record
