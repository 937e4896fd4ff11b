// Feeds arbitrary bytes to `cspctl scan -o json -` (manifests, Compose files, `docker inspect`
// output: whatever stdin holds) and to `cspctl scan --run-line BYTES`: whatever the input, the
// scanner must answer with results or input errors, never crash, hang or grow without bound.
// Manifests are scanned twice, with workloads read straight from the YAML parser's events
// (manifest/tape_workload.h) and as JSON trees: the two must give the same output.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "csp/scan/scan.h"

namespace {

struct Output {
  int code = 0;
  std::string out;
  std::string err;
  bool operator==(const Output&) const = default;
};

Output ScanOrTrap(const csp::scan::ScanOptions& options, const std::string& stdin_bytes) {
  std::istringstream in(stdin_bytes);
  std::ostringstream out, err;
  int code = csp::scan::RunScan(options, in, out, err);
  if (code < 0 || code > 2) __builtin_trap();
  return {code, out.str(), err.str()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const Output fast = ScanOrTrap({.paths = {"-"}, .format = csp::scan::Format::kJson}, bytes);
  const Output tree = ScanOrTrap(
      {.paths = {"-"}, .format = csp::scan::Format::kJson, .read_yaml_events = false}, bytes);
  if (!(fast == tree)) __builtin_trap();
  ScanOrTrap({.run_lines = {bytes}, .format = csp::scan::Format::kJson}, "");
  return 0;
}
