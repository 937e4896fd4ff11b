// How a recorded allow-list differs from a baseline profile (csp-default, rendered for a node),
// by syscall name. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "csp/profiles/seccomp_profile.h"

namespace csp::record {

// What a profile does with one syscall name, ignoring architecture: a name in an SCMP_ACT_ALLOW
// rule without args is allowed, with args conditional; a name in no rule takes the default
// action. The first rule that names it decides (as libseccomp refuses conflicting rules).
enum class Verdict { kAllowed, kConditional, kBlocked };
Verdict VerdictFor(const profiles::SeccompProfile& profile, const std::string& name);

struct SeccompDiff {
  // The recording allows them, the baseline blocks them.
  std::vector<std::string> blocked_by_baseline = {};
  // The recording allows them, the baseline only for some arguments (e.g. clone without
  // namespace flags): the recorded profile is wider there.
  std::vector<std::string> conditional_in_baseline = {};
  // The baseline allows them (with or without conditions), the recording does not.
  std::vector<std::string> blocked_by_recording = {};
};

// Names compared: every name either profile lists. Each list sorted.
SeccompDiff DiffProfiles(const profiles::SeccompProfile& recorded,
                         const profiles::SeccompProfile& baseline);

// Human-readable, one section per non-empty list with its count, names wrapped at 100 columns;
// `baseline` names the baseline ("csp-default").
std::string FormatDiff(const SeccompDiff& diff, std::string_view baseline);

}  // namespace csp::record
