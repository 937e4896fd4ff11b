// The entry point for manifest text: YAML or JSON, one document at a time.
#pragma once

#include <string_view>

#include "csp/manifest/document.h"
#include "csp/manifest/yaml_tape.h"

namespace csp::manifest {

// Parses `text` (the contents of `file`) and calls on_document for each document, in order, and
// on_error for each broken one. Documents are delivered one at a time so that the caller can
// evaluate and free each before the next is built. Empty and comment-only YAML documents are
// delivered with a null value; callers skip them.
//
// Text whose first character (after a UTF-8 BOM and whitespace) is `{` or `[` is read as a
// stream of JSON values (json_reader.h), anything else as a YAML stream (yaml_reader.h); so is
// "JSON" whose first value does not parse as JSON (flow-style YAML such as `{kind: Pod}`). A
// broken document does not stop the others: a YAML syntax error skips to the next `---` line
// (yaml_reader.h); a JSON syntax error stops the file after the values before it.
//
// With `on_tape`, each YAML document is first offered to it as its recorded events
// (yaml_tape.h); the documents it declines are built and delivered as usual. JSON input never
// reaches it. With `prepare` too, a YAML stream read in pieces runs it on each document on the
// worker threads first (yaml_tape.h, TapePreparer).
void ParseManifests(std::string_view text, std::string_view file, const Limits& limits,
                    const DocumentSink& on_document, const ErrorSink& on_error,
                    const TapeSink* on_tape = nullptr, const TapePreparer* prepare = nullptr);

// True when ParseManifests reads `text` as JSON.
bool LooksLikeJson(std::string_view text);

}  // namespace csp::manifest
