// Runs a program as a child process for tests: no shell, stdin fed, stdout and stderr
// captured, bounded by a timeout.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace csp::test {

struct CommandResult {
  int exit_code = 0;  // the program's exit status; 128+N if killed by signal N; 124 on timeout
  std::string out = {};
  std::string err = {};
};

// Prints the exit code and both streams, for assertion messages: `ASSERT_EQ(r.exit_code, 0) << r`.
std::ostream& operator<<(std::ostream& os, const CommandResult& result);

// Runs a program without a shell (fork/exec, PATH lookup), feeds it stdin_data, captures
// stdout and stderr. A program still running after timeout_seconds is killed with its process
// group (exit code 124). A program that cannot be started gives exit code 127 and the reason
// in err.
CommandResult Run(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                  int timeout_seconds = 60);

}  // namespace csp::test
