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
inline constexpr std::string_view kNotNotifiable[] = {"write"};

// Allowed in every recorded profile because runc needs them, whether a recording saw them or
// not. runc 1.1's init is a Go program that keeps running for a moment under the filter (it
// hands over the notify fd, waits on its exec fifo for `runc start`, then calls execve), and
// what its runtime calls in that window depends on scheduling: in 25 recordings of `sh -c true`
// on this project's test machine, futex was seen 11 times and rt_sigreturn 21 times, and a
// profile that missed futex made runc init crash at random ("futexwakeup ... returned -1").
// These are the Go runtime's calls of that kind (locks, signals, preemption, the scheduler and
// its memory), all of them in csp-default. The recording filter allows them without notifying
// too: runc init may make them after loading the filter and before handing over the notify fd,
// and a notified syscall then would wait for a recorder that cannot answer yet (we saw runc
// hang there).
inline constexpr std::string_view kRuntimeNeeds[] = {
    "exit_group",  "futex",       "getpid",    "gettid",         "madvise",
    "mmap",        "munmap",      "nanosleep", "rt_sigprocmask", "rt_sigreturn",
    "sched_yield", "sigaltstack", "tgkill",    "epoll_pwait",
};

struct RecordedProfileOptions {
  std::string name = {};  // metadata.name
  // The SCMP_ARCH_* names the profile's filter covers, native first (those of the recording
  // filter). Empty: the architectures seen, in sorted order.
  std::vector<std::string> architectures = {};
};

// A Seccomp SecurityProfile: defaultAction SCMP_ACT_ERRNO with defaultErrnoRet 1 (EPERM), and
// one SCMP_ACT_ALLOW rule with every name seen on any architecture plus kNotNotifiable and
// kRuntimeNeeds, sorted.
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
