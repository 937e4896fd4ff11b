// Internal to csp_manifest: the libyaml side. Either parse and build on the calling thread, or
// record a piece's events on a worker thread and replay them into a builder on the calling
// thread (so that every json allocation and free happens on one thread: glibc's malloc pays
// dearly for frees of another thread's memory).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/manifest/document.h"
#include "csp/manifest/yaml_document_builder.h"
#include "csp/manifest/yaml_event.h"

namespace csp::manifest {

// Parses `text`, a YAML stream free of bytes YAML forbids (see FindInvalidYamlByte), with the
// semantics described in yaml_reader.h. `line_offset` is added to every line reported. Returns
// false when a syntax error or the depth limit stopped the stream before its end (the error has
// been reported), true otherwise.
bool ParseYamlText(std::string_view text, std::string_view file, int line_offset,
                   const Limits& limits, const DocumentSink& on_document,
                   const ErrorSink& on_error);

// The events of one piece of a stream, with their strings copied into one buffer.
struct RecordedYaml {
  struct Event {
    YamlEventType type = YamlEventType::kNone;
    bool plain = false;
    std::size_t line = 0;
    std::size_t index = 0;
    std::size_t value_at = 0, value_size = 0;  // in `bytes`
    std::size_t tag_at = 0, tag_size = 0;
    std::size_t anchor_at = 0, anchor_size = 0;
  };
  std::vector<Event> events = {};
  std::string bytes = {};
  std::optional<ReadError> error = {};  // the syntax error that ended the piece, located
};

// Runs libyaml over `text` and records its events. Stops after an event that opens a container
// beyond `max_depth` (the builder refuses it; libyaml slows down quadratically past it) and at a
// syntax error (recorded, its line offset by `line_offset`).
RecordedYaml RecordYamlEvents(std::string_view text, std::string_view file, int line_offset,
                              std::size_t max_depth);

// Feeds the recorded events to `builder`. Returns false when the stream must stop: the builder
// said so, or the recording ended in an error (which is then reported through `on_error`).
bool ReplayYamlEvents(const RecordedYaml& recorded, YamlDocumentBuilder& builder,
                      const ErrorSink& on_error);

}  // namespace csp::manifest
