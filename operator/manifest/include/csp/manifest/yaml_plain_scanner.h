// Internal to csp_manifest: a YAML scanner for the plain block style manifests are written in,
// several times faster than libyaml, recording exactly the events libyaml records (the same
// types, values, styles, lines and offsets), and declining every document it is not sure of.
//
// It reads documents whose bytes are printable ASCII and line feeds only, made of block
// mappings and sequences (indentless ones included) whose keys are plain or quoted scalars on
// one line, values that are plain scalars on one line, single-quoted scalars, double-quoted
// scalars without escapes, empty values, and flow collections of such scalars that close on
// the line they open; comments, blank lines and `---` document markers. It declines the whole
// document on anything else: tabs, CR, non-ASCII bytes, anchors, aliases, tags, block scalars,
// multi-line scalars and flow collections, `?` keys, directives, `...`, a root that is not a
// block mapping or sequence at column 0, indentation that does not line up, what libyaml would
// report as an error, and documents near a limit. RecordYamlEvents hands those to libyaml.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "csp/manifest/document.h"
#include "csp/manifest/yaml_events.h"

namespace csp::manifest {

class YamlPlainScanner {
 public:
  // Appends to `out`; `text` is a piece of a stream that starts at a document boundary.
  YamlPlainScanner(std::string_view text, const Limits& limits, RecordedYaml& out);

  enum class Step {
    kDocument,  // a document was recorded; position() is at the next one or the end
    kDeclined,  // nothing was recorded; position() is unchanged, the document ends at end()
    kEnd,       // no document left (only blank and comment lines): record STREAM-END
  };
  Step NextDocument();

  // Where the next document (or what is left) starts, and its 0-based line.
  std::size_t position() const { return pos_; }
  std::uint32_t line() const { return line_; }
  // After kDeclined: where the declined document ends (the next `---` line, or the end).
  std::size_t declined_end() const { return declined_end_; }
  // Moves on to `pos`, the start of a line, at 0-based line `line` and libyaml's character
  // index `index` (after a document libyaml has read).
  void SkipTo(std::size_t pos, std::uint32_t line, std::size_t index);
  // Appends STREAM-END at the end of the text, placed as libyaml places it.
  void RecordStreamEnd();

 private:
  struct Decline {};
  struct Mark {
    std::uint32_t line = 0;
    std::size_t index = 0;
  };
  // Moves to the next line with content: its column, or -1 at the document's end.
  int NextContent();
  Mark Here() const { return {line_, pos_ - index_delta_}; }
  Mark EndMark() const;
  Mark NextMark() const { return pos_ >= end_ ? EndMark() : Here(); }
  int Column() const { return static_cast<int>(pos_ - line_start_); }
  // Each Parse* reads a node starting at pos_ and returns the column of the content after it
  // (-1: the document's end), where pos_ is left.
  int ParseBlockNode(int column);
  int ParseBlockMapping(int column);
  int ParseBlockSequence(int column, bool indentless);
  // The value after a key's `:` or a sequence's `-` of a collection at `column`.
  int ParseBlockValue(int column, Mark empty_at, bool in_mapping);
  void ParseInlineValue();
  void ParseFlow();
  void ParseFlowNode();
  void ParseQuoted();
  // Where the `:` of a mapping key starting at `at` is, or npos when the line holds none.
  std::size_t KeyColon(std::size_t at) const;
  std::size_t QuotedEnd(std::size_t at) const;
  bool PlainStart(std::size_t at, bool flow) const;
  void EndOfLine();
  void SkipSpaces();
  bool AtSequenceEntry() const;
  bool AtBlank(std::size_t at) const;
  void Emit(YamlEventType type, Mark at, bool plain = false, std::string_view value = {});
  void EmitNode(YamlEventType type, Mark at, bool plain = false, std::string_view value = {});
  // The end of a block collection at `column`.
  void EmitEnd(YamlEventType type, int column);

  std::string_view text_;
  const Limits limits_;  // a copy: callers pass temporaries
  RecordedYaml& out_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  std::uint32_t line_ = 0;
  std::size_t end_ = 0;  // of the document being read
  std::size_t declined_end_ = 0;
  std::size_t depth_ = 0;
  std::size_t nodes_ = 0;
  std::size_t index_delta_ = 0;  // bytes minus libyaml's characters before pos_
};

}  // namespace csp::manifest
