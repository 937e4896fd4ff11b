// One YAML document as the flat list of libyaml events recorded for it, for readers that take
// what they need straight from the events instead of building a JSON tree first (the scan's
// typed workload reader, tape_workload.h).
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "csp/manifest/yaml_event.h"

namespace csp::manifest {

// A recorded event: strings live in the tape's `bytes` (value, then tag, then anchor), offsets
// in 32 bits (pieces are cut only from texts under 4 GiB).
struct TapeEvent {
  YamlEventType type = YamlEventType::kNone;
  bool plain = false;
  std::uint32_t line = 0;   // 0-based, in the parsed piece of text
  std::uint32_t index = 0;  // byte offset, in the parsed piece of text
  std::uint32_t value_at = 0;
  std::uint32_t value_size = 0;
  std::uint32_t tag_size = 0;
  std::uint32_t anchor_size = 0;
};

// A whole document: from its DOCUMENT-START event to its DOCUMENT-END event, both included,
// exactly as libyaml reported it (the recorder has not cut it short: a document that crossed a
// limit is offered only when the crossing event is on the tape, so a reader that checks the
// limits sees it).
struct YamlTape {
  std::span<const TapeEvent> events = {};
  std::string_view bytes = {};
  int line_offset = 0;  // add to 1 + event.line for the line in the file
  // What the TapePreparer made of this document on the thread that recorded it, when one ran
  // (the sink may move from it instead of reading the events again); null when none ran.
  std::any* prepared = nullptr;

  std::string_view Value(const TapeEvent& e) const {
    return bytes.substr(e.value_at, e.value_size);
  }
  int Line(const TapeEvent& e) const { return static_cast<int>(e.line) + 1 + line_offset; }
};

// Offered each complete YAML document before its JSON tree is built. Returns true when it has
// dealt with the document (no tree is built, on_document is not called), false to have the tree
// built and delivered as usual. The events are valid only during the call.
using TapeSink = std::function<bool(const YamlTape&)>;

// Optional per-document work done on the worker thread that recorded the document, when a
// stream is read in pieces (yaml_pieces.h), so that a reader's work on each document (the scan's
// evaluation) runs on every core, not only on the thread the sink runs on. It runs on several
// threads at once and in no particular order: it must be safe to call so. Its result reaches
// the TapeSink as YamlTape::prepared, in stream order; when the stream is read on the calling
// thread, none runs and `prepared` is null. The tape it sees is the one the sink will see.
using TapePreparer = std::function<std::any(const YamlTape&)>;

}  // namespace csp::manifest
