// Feeds arbitrary bytes to `cspctl scan -o json -` (manifests, Compose files, `docker inspect`
// output: whatever stdin holds) and to `cspctl scan --run-line BYTES`: whatever the input, the
// scanner must answer with results or input errors, never crash, hang or grow without bound.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "csp/scan/scan.h"

namespace {

void ScanOrTrap(const csp::scan::ScanOptions& options, const std::string& stdin_bytes) {
  std::istringstream in(stdin_bytes);
  std::ostringstream out, err;
  int code = csp::scan::RunScan(options, in, out, err);
  if (code < 0 || code > 2) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  ScanOrTrap({.paths = {"-"}, .format = csp::scan::Format::kJson}, bytes);
  ScanOrTrap({.run_lines = {bytes}, .format = csp::scan::Format::kJson}, "");
  return 0;
}
