// Runs a helper program (apparmor_parser) the way the agent needs: fork/exec without a shell,
// stdin fed from memory, output captured up to a bound, a deadline after which it is killed.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "csp/common/result.h"

namespace csp::agent {

struct ProgramResult {
  int exit_code = 0;  // exit status, or 128+N when killed by signal N
  std::string out = {};
  std::string err = {};
  bool timed_out = false;
};

struct ProgramOptions {
  std::string stdin_data = {};
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  std::size_t max_output_bytes = 1 << 20;  // per stream; the rest is dropped
};

// argv[0] must be a path (no PATH lookup). An error only when the program could not be run at
// all (fork or exec failed, with the reason); a non-zero exit is a ProgramResult.
Result<ProgramResult> RunProgram(const std::vector<std::string>& argv,
                                 const ProgramOptions& options);

}  // namespace csp::agent
