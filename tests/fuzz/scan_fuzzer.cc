// Feeds arbitrary bytes to `cspctl scan -o json -` (manifests, Compose files, `docker inspect`
// output: whatever stdin holds) and to `cspctl scan --run-line BYTES`: whatever the input, the
// scanner must answer with results or input errors, never crash, hang or grow without bound.
// Manifests are scanned twice, with workloads read straight from the YAML parser's events
// (manifest/tape_workload.h) and as JSON trees: the two must give the same output. The YAML
// events are recorded twice too, by the plain-style scanner where it is sure (falling back to
// libyaml) and by libyaml alone: they must be the same events (manifest/yaml_plain_scanner.h).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "csp/manifest/text_position.h"
#include "csp/manifest/yaml_events.h"
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

// The recordings' events and errors, field by field.
bool SameEvents(const csp::manifest::RecordedYaml& a, const csp::manifest::RecordedYaml& b) {
  if (a.events.size() != b.events.size()) return false;
  if (a.error.has_value() != b.error.has_value()) return false;
  if (a.error && a.error->ToString() != b.error->ToString()) return false;
  const std::string_view a_bytes = a.bytes, b_bytes = b.bytes;
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    const csp::manifest::TapeEvent &x = a.events[i], &y = b.events[i];
    const std::size_t x_size = x.value_size + x.tag_size + x.anchor_size;
    if (x.type != y.type || x.plain != y.plain || x.line != y.line || x.index != y.index ||
        x.value_size != y.value_size || x.tag_size != y.tag_size ||
        x.anchor_size != y.anchor_size ||
        a_bytes.substr(x.value_at, x_size) != b_bytes.substr(y.value_at, x_size)) {
      return false;
    }
  }
  return true;
}

// Records as the YAML reader does: only text free of the bytes YAML forbids.
void CompareYamlEvents(std::string_view bytes) {
  if (const std::size_t invalid = csp::manifest::FindInvalidYamlByte(bytes);
      invalid != std::string_view::npos) {
    bytes = bytes.substr(0, csp::manifest::DocumentStartBefore(bytes, invalid));
  }
  csp::manifest::Limits libyaml;
  libyaml.plain_yaml_scanner = false;
  if (!SameEvents(csp::manifest::RecordYamlEvents(bytes, "-", 0, csp::manifest::Limits{}),
                  csp::manifest::RecordYamlEvents(bytes, "-", 0, libyaml))) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const Output fast = ScanOrTrap({.paths = {"-"}, .format = csp::scan::Format::kJson}, bytes);
  const Output tree = ScanOrTrap(
      {.paths = {"-"}, .format = csp::scan::Format::kJson, .read_yaml_events = false}, bytes);
  if (!(fast == tree)) __builtin_trap();
  CompareYamlEvents(bytes);
  ScanOrTrap({.run_lines = {bytes}, .format = csp::scan::Format::kJson}, "");
  return 0;
}
