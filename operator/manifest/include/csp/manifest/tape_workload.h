// A workload (identity, labels, typed pod spec) read straight from a YAML document's events,
// without the JSON tree: the fast path of `cspctl scan` (docs/design.md, "Reading manifests").
//
// All or nothing: the reader returns a workload only when the tree path (YamlDocumentBuilder,
// then policy::AsWorkload and policy::ParsePodSpec) would give exactly the same one, and declines
// every document it is not sure of: anchors, aliases, tags, merge keys, keys that are not plain
// strings, duplicate keys, scalars that do not resolve (`.inf`), a limit reached, a root that is
// not a mapping, a kind that is not a built-in workload kind (Lists, Namespaces, Compose files,
// custom kinds), and any field of the wrong type. The caller then reads the document through the
// tree path, which reports whatever is wrong with it in its own words: the fast path never
// reports an error, so messages (file, line, field) are the tree path's.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "csp/manifest/document.h"
#include "csp/manifest/yaml_tape.h"
#include "csp/policy/label_selector.h"
#include "csp/policy/pod_spec.h"
#include "csp/policy/workload.h"

namespace csp::manifest {

struct TapeWorkload {
  policy::WorkloadRef ref = {};
  policy::Labels labels = {};  // metadata.labels, when asked for
  policy::PodSpec pod = {};    // its strings view the tape: valid during the TapeSink call only
  int line = 0;                // the line of the document's root node (as Document::line)
  std::string_view pod_spec_path = {};  // as Workload::pod_spec_path ("spec.template.spec")
};

// Keeps its buffers from one document to the next; one per thread.
class TapeWorkloadReader {
 public:
  explicit TapeWorkloadReader(const Limits& limits) : limits_(limits) {}

  // nullopt: declined (see above). `default_namespace` as for policy::AsWorkload.
  std::optional<TapeWorkload> Read(const YamlTape& tape, std::string_view default_namespace,
                                   bool want_labels);

 public:
  // What Index() learns of each event (internal).
  enum class Kind : std::uint8_t { kContainer, kString, kNull, kBool, kInt, kOther };
  struct Node {
    std::uint32_t end = 0;  // a container's end event; a scalar's own index
    Kind kind = Kind::kContainer;
    bool boolean = false;
    std::int64_t integer = 0;
  };
  struct Open {
    std::uint32_t start = 0;
    bool is_mapping = false;
    bool expect_key = true;
    std::size_t keys_from = 0;
  };

  // The index of the tape last read, when Read accepted it (tape_object_view.h).
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  // Checks the whole document against the tree path's rules and limits (false: decline) and
  // fills nodes_.
  bool Index(const YamlTape& tape);

  Limits limits_;
  std::vector<Node> nodes_;
  std::vector<Open> open_;
  std::vector<std::uint32_t> keys_;
};

}  // namespace csp::manifest
