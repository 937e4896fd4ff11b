// Feeds arbitrary bytes to `cspctl scan -o json -`: whatever the input, the scanner must answer
// with results or input errors, never crash, hang or grow without bound.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "csp/scan/scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out, err;
  csp::scan::ScanOptions options{.paths = {"-"}, .format = csp::scan::Format::kJson};
  int code = csp::scan::RunScan(options, in, out, err);
  if (code < 0 || code > 2) __builtin_trap();
  return 0;
}
