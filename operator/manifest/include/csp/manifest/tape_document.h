// A recorded YAML document built into its JSON tree away from the stream's reader: for a
// TapePreparer (yaml_tape.h) that needs the tree of a document the tape path cannot take alone.
#pragma once

#include <optional>
#include <string_view>

#include "csp/manifest/document.h"
#include "csp/manifest/yaml_tape.h"

namespace csp::manifest {

// The document of `tape` exactly as the stream's reader would deliver it (value and lines), or
// nullopt when building it reports an error or stops the stream: then leave it to the reader,
// which reports that. `file` must outlive the result (Document::file views it).
std::optional<Document> BuildTapeDocument(const YamlTape& tape, std::string_view file,
                                          const Limits& limits);

}  // namespace csp::manifest
