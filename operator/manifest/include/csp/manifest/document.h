// What the manifest readers deliver: one parsed document at a time, or an error with its place.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csp::manifest {

// Bounds that keep hostile input from costing unbounded time, memory or stack. A document that
// exceeds one is reported as a ReadError and skipped; the defaults are far above any real
// manifest (the API server stores objects of at most ~1.5 MiB).
struct Limits {
  // Nesting of mappings/sequences (the root container is depth 1). Everything downstream may
  // recurse over a document, so this also bounds their stack use.
  std::size_t max_depth = 200;
  // Nodes (scalars and containers) per document, counting every copy an alias expands to:
  // the billion-laughs guard.
  std::size_t max_nodes_per_document = 1'000'000;
  // Source bytes of one document, and also the scalar bytes it expands to through aliases.
  std::size_t max_document_bytes = std::size_t{64} << 20;
  // Bytes of one scalar (string) value or key.
  std::size_t max_scalar_bytes = std::size_t{4} << 20;
  // Not a limit but a knob: worker threads that parse a big YAML stream in pieces (0: one per
  // core; at most 4 either way; 1: everything on the calling thread). Callbacks always run on
  // the calling thread, in stream order.
  std::size_t threads = 0;
  // Not a limit either: recorded YAML events come from the plain-style scanner where it is sure
  // of a document (yaml_plain_scanner.h), from libyaml otherwise; false: from libyaml always.
  // The events are the same either way.
  bool plain_yaml_scanner = true;
};

struct Document {
  std::string_view file = {};  // the name given to the reader ("examples/x.yaml", "<stdin>")
  int line = 0;                // 1-based line where the document's content starts
  nlohmann::json value = {};   // null for an empty or comment-only document: callers skip those
  // 1-based line of each element of a top-level `items` sequence (kind: List and *List), or
  // (JSON only) of a top-level array (`docker inspect` output), so that list items can be
  // reported at their own line. Either one entry per element, or empty (no items, or items that
  // came from an alias or merge).
  std::vector<int> item_lines = {};
  // 1-based line of each key of a top-level `services` mapping (a Compose file), in order, so
  // that each service can be reported at its own line. Empty when there is none.
  std::vector<std::pair<std::string, int>> key_lines = {};
};

// Prints as FILE:LINE: message (FILE: message when line is 0, i.e. not about a line).
struct ReadError {
  std::string file = {};
  int line = 0;
  std::string message = {};

  std::string ToString() const;
};

using DocumentSink = std::function<void(Document&&)>;
using ErrorSink = std::function<void(ReadError&&)>;

}  // namespace csp::manifest
