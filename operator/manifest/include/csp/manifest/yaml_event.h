// Internal to csp_manifest: a libyaml event as the document builder needs it, independent of
// where it comes from (libyaml directly, or a recording made on a worker thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace csp::manifest {

enum class YamlEventType : std::uint8_t {
  kNone,
  kStreamStart,
  kStreamEnd,
  kDocumentStart,
  kDocumentEnd,
  kScalar,
  kAlias,
  kSequenceStart,
  kSequenceEnd,
  kMappingStart,
  kMappingEnd,
};

struct YamlEvent {
  YamlEventType type = YamlEventType::kNone;
  bool plain = false;            // scalar: plain style (else quoted, literal or folded)
  std::size_t line = 0;          // 0-based line of the event's start, in the parsed text
  std::size_t index = 0;         // byte offset of the event's start, in the parsed text
  std::string_view value = {};   // scalar: its text
  std::string_view tag = {};     // scalar: its tag as libyaml resolved it, empty if none
  std::string_view anchor = {};  // scalar, sequence or mapping: its anchor; alias: the target
};

}  // namespace csp::manifest
