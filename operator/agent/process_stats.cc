#include "csp/agent/process_stats.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace csp::agent {

ProcessStats ReadProcessStats() {
  ProcessStats stats;
  const long page = sysconf(_SC_PAGESIZE);
  const long ticks = sysconf(_SC_CLK_TCK);
  {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    if (statm >> size >> resident && page > 0)
      stats.resident_bytes = resident * static_cast<std::uint64_t>(page);
  }
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) is in parentheses and may hold spaces: fields count from the
  // last ')'. After it: state (3), ..., utime (14), stime (15), ..., num_threads (20).
  const auto close = text.rfind(')');
  if (close == std::string::npos || ticks <= 0) return stats;
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14)
      stats.cpu_seconds += std::strtod(field.c_str(), nullptr) / static_cast<double>(ticks);
    if (index == 15)
      stats.cpu_seconds += std::strtod(field.c_str(), nullptr) / static_cast<double>(ticks);
    if (index == 20) {
      stats.threads = std::strtoull(field.c_str(), nullptr, 10);
      break;
    }
  }
  return stats;
}

}  // namespace csp::agent
