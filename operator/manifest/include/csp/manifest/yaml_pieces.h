// Internal to csp_manifest: parsing a big YAML stream as pieces on worker threads.
//
// libyaml reads ~45 MB/s; a 13 MB stream of Deployments takes ~0.3 s in libyaml alone on one
// core. The documents of a stream are independent (anchors do not cross `---`), so the stream is
// cut at document markers and libyaml runs over the pieces on worker threads, while the calling
// thread builds the documents from the recorded events and delivers them in stream order. Results
// are the same as parsing in one go: same documents, same lines, same errors, and nothing after the
// first syntax error (ParseYamlStream resumes after it, at the next separator line).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "csp/manifest/document.h"
#include "csp/manifest/yaml_tape.h"

namespace csp::manifest {

// True when the line starting at `at` begins a document: `---` then a blank, a line break or the
// end. libyaml reads it as a document start wherever it appears at column 0 (inside a quoted
// scalar or a flow collection it is an error either way, reported at the same line; only the
// wording can differ).
bool StartsDocument(std::string_view text, std::size_t at);

// Start offsets of pieces of about `piece_bytes` each; the first is 0 and every other one is the
// start of a line that begins a document (`---` followed by a blank or the end of the line).
// Returns just {0} when cutting could change the meaning: directives (`%YAML`, `%TAG` apply to
// the next document) or UTF-16 text.
std::vector<std::size_t> SplitYamlStream(std::string_view text, std::size_t piece_bytes);

// Parses `text` (free of forbidden bytes) cut at `starts` with up to `threads` worker threads;
// `line_offset` is added to every line reported (as ParseYamlText). Callbacks run on the calling
// thread, in stream order. At most threads + 1 pieces are recorded ahead of the one being built,
// which bounds memory. Returns false when a syntax error or a fatal limit stopped the stream (as
// ParseYamlText). With `on_tape` and `prepare`, the worker that recorded a piece runs `prepare`
// on each of its whole documents, and each result reaches `on_tape` with its document.
bool ParseYamlPieces(std::string_view text, const std::vector<std::size_t>& starts,
                     std::size_t threads, std::string_view file, int line_offset,
                     const Limits& limits, const DocumentSink& on_document,
                     const ErrorSink& on_error, const TapeSink* on_tape = nullptr,
                     const TapePreparer* prepare = nullptr);

}  // namespace csp::manifest
