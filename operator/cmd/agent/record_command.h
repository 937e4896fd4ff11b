// `csp-agent record`: records the syscalls of a workload run under runc into a SecurityProfile,
// or merges recorded profiles; either way prints the diff against csp-default.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace csp::agent::cmd {

extern const char* const kRecordUsage;

// args: what follows "record". Returns the exit status: 0 profile written, 1 nothing could be
// recorded or written, 2 usage or input error.
int RunRecord(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace csp::agent::cmd
