// Internal to csp_manifest: the libyaml side. Either parse and build on the calling thread, or
// record a piece's events on a worker thread and replay them into a builder on the calling
// thread (so that every json allocation and free happens on one thread: glibc's malloc pays
// dearly for frees of another thread's memory).
#pragma once

#include <any>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/manifest/document.h"
#include "csp/manifest/yaml_document_builder.h"
#include "csp/manifest/yaml_event.h"
#include "csp/manifest/yaml_tape.h"

namespace csp::manifest {

// Parses `text`, a YAML stream free of bytes YAML forbids (see FindInvalidYamlByte), with the
// semantics described in yaml_reader.h. `line_offset` is added to every line reported. Returns
// false when a syntax error or the depth limit stopped the stream before its end (the error has
// been reported), true otherwise.
// With `on_tape`, each complete document is offered to it first (yaml_tape.h), when `text`
// is at most 1 MiB (the events of the whole text are recorded first).
bool ParseYamlText(std::string_view text, std::string_view file, int line_offset,
                   const Limits& limits, const DocumentSink& on_document, const ErrorSink& on_error,
                   const TapeSink* on_tape = nullptr);

// The events of one piece of a stream, compactly: strings in one buffer, offsets in 32 bits
// (pieces are cut only from texts under 4 GiB).
struct RecordedYaml {
  using Event = TapeEvent;
  std::vector<Event> events = {};
  std::string bytes = {};
  std::optional<ReadError> error = {};  // what ended the piece early, located
  // PrepareYamlDocuments' results: one per document recorded whole, in order.
  std::vector<std::any> prepared = {};
};

// Runs libyaml over `text` and records its events, for replay into a YamlDocumentBuilder with
// the same `limits`. Memory stays bounded by the limits, not by the input: once a document has
// more node events than max_nodes_per_document or more source bytes than max_document_bytes, the
// event that crossed the line is recorded (the builder refuses the document there) and the rest
// of the document is not. Stops after an event that opens a container beyond max_depth (libyaml
// slows down quadratically past it), and at a syntax error (recorded, its line offset by
// `line_offset`).
RecordedYaml RecordYamlEvents(std::string_view text, std::string_view file, int line_offset,
                              const Limits& limits);

// Feeds the recorded events to `builder`. Returns false when the stream must stop: the builder
// said so, or the recording ended in an error (which is then reported through `on_error`).
// With `on_tape`, each document recorded whole (start to end) is offered to it first, and only
// the documents it declines reach the builder.
bool ReplayYamlEvents(RecordedYaml& recorded, YamlDocumentBuilder& builder,
                      const ErrorSink& on_error, const TapeSink* on_tape = nullptr);

// Runs `prepare` over each document recorded whole (start to end), as ReplayYamlEvents will
// offer them to a TapeSink with `line_offset`, and keeps the results in `recorded.prepared`.
void PrepareYamlDocuments(RecordedYaml& recorded, int line_offset, const TapePreparer& prepare);

}  // namespace csp::manifest
