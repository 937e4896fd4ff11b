// Test support: compiles an OCI seccomp profile (the JSON a node gets) with the real libseccomp,
// the way runc does, and runs probes in a child process confined by it. This is what proves
// that the rendered JSON means to the kernel what we think it means.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace csp::profiles::test {

// A probe returns 0 when its syscall succeeded, else the errno it failed with.
struct Probe {
  std::string name;
  std::function<int()> run;
};

struct ConfinedRun {
  std::string error;                 // set when the profile could not be compiled or loaded
  std::vector<int> results;          // one per probe, in order
  std::vector<std::string> skipped;  // syscall names this libseccomp does not know (as runc skips)
};

// Forks; the child sets PR_SET_NO_NEW_PRIVS, builds the filter from `profile_json` with
// seccomp_init / seccomp_arch_add / seccomp_rule_add_array, seccomp_load()s it, runs the probes
// and reports their results through a pipe.
ConfinedRun RunConfined(const std::string& profile_json, const std::vector<Probe>& probes);

}  // namespace csp::profiles::test
