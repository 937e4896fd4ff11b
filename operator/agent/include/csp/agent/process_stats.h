// This process's resource use, for /metrics (process_resident_memory_bytes and friends, as
// the Prometheus client libraries name them) and for the benchmark.
#pragma once

#include <cstdint>

namespace csp::agent {

struct ProcessStats {
  std::uint64_t resident_bytes = 0;
  double cpu_seconds = 0;  // user + system
  std::uint64_t threads = 0;
};

// From /proc/self/statm and /proc/self/stat; zeros where they cannot be read.
ProcessStats ReadProcessStats();

}  // namespace csp::agent
