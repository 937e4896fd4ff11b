#include "csp/manifest/yaml_plain_scanner.h"

#include <cstring>
#include <string>

#include "csp/manifest/yaml_pieces.h"

namespace csp::manifest {
namespace {

constexpr std::size_t npos = std::string_view::npos;
// libyaml refuses a simple key (one not introduced by `?`) longer than this.
constexpr std::size_t kMaxSimpleKey = 1024;

// Printable ASCII and line feeds: where a byte offset is libyaml's character index, and no
// tab, CR or control character can change how a line reads.
bool PlainBytes(std::string_view text) {
  for (const char c : text) {
    if ((c < 0x20 || c > 0x7E) && c != '\n') return false;
  }
  return true;
}

// The start of the first line after `from`'s line that begins a document, or the text's end.
std::size_t NextDocumentLine(std::string_view text, std::size_t from) {
  for (std::size_t p = from;;) {
    const std::size_t newline = text.find("\n---", p);
    if (newline == npos) return text.size();
    if (StartsDocument(text, newline + 1)) return newline + 1;
    p = newline + 1;
  }
}

bool IsFlowIndicator(char c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }

}  // namespace

YamlPlainScanner::YamlPlainScanner(std::string_view text, const Limits& limits, RecordedYaml& out)
    : text_(text), limits_(limits), out_(out), end_(text.size()) {}

void YamlPlainScanner::SkipTo(std::size_t pos, std::uint32_t line, std::size_t index) {
  pos_ = line_start_ = pos;
  line_ = line;
  index_delta_ = pos - index;
}

bool YamlPlainScanner::AtBlank(std::size_t at) const {
  return at >= end_ || text_[at] == ' ' || text_[at] == '\n';
}

bool YamlPlainScanner::AtSequenceEntry() const {
  return pos_ < end_ && text_[pos_] == '-' && AtBlank(pos_ + 1);
}

void YamlPlainScanner::SkipSpaces() {
  while (pos_ < end_ && text_[pos_] == ' ') ++pos_;
}

YamlPlainScanner::Mark YamlPlainScanner::EndMark() const {
  // At the end of the text libyaml moves to a new line unless it is at the start of one.
  const bool at_text_end = pos_ >= text_.size();
  return {line_ + (at_text_end && pos_ > line_start_ ? 1u : 0u), pos_ - index_delta_};
}

void YamlPlainScanner::Emit(YamlEventType type, Mark at, bool plain, std::string_view value) {
  out_.events.push_back(TapeEvent{.type = type,
                                  .plain = plain,
                                  .line = at.line,
                                  .index = static_cast<std::uint32_t>(at.index),
                                  .value_at = static_cast<std::uint32_t>(out_.bytes.size()),
                                  .value_size = static_cast<std::uint32_t>(value.size())});
  out_.bytes.append(value);
}

void YamlPlainScanner::EmitNode(YamlEventType type, Mark at, bool plain, std::string_view value) {
  if (++nodes_ > limits_.max_nodes_per_document) throw Decline{};
  if ((type == YamlEventType::kMappingStart || type == YamlEventType::kSequenceStart) &&
      ++depth_ > limits_.max_depth) {
    throw Decline{};
  }
  Emit(type, at, plain, value);
}

void YamlPlainScanner::EmitEnd(YamlEventType type, int column) {
  --depth_;
  // At the end of a text whose last line is not ended, libyaml closes the collections indented
  // deeper than that line before it moves to a new line, and the others after.
  const bool before_new_line = pos_ >= text_.size() && column > Column();
  Emit(type, before_new_line ? Here() : NextMark());
}

int YamlPlainScanner::NextContent() {
  for (;;) {
    if (pos_ >= end_) return -1;
    if (text_[pos_] == '\n') {
      line_start_ = ++pos_;
      ++line_;
      continue;
    }
    std::size_t p = pos_;
    while (p < end_ && text_[p] == ' ') ++p;
    pos_ = p;
    if (p >= end_ || text_[p] == '\n') continue;
    if (text_[p] == '#') {
      const std::size_t newline = text_.find('\n', p);
      pos_ = newline == npos || newline > end_ ? end_ : newline;
      continue;
    }
    if (p == line_start_ && (text_.compare(p, 3, "...") == 0 || text_[p] == '%')) {
      throw Decline{};  // a document end marker or a directive (or something close to one)
    }
    return static_cast<int>(p - line_start_);
  }
}

void YamlPlainScanner::EndOfLine() {
  SkipSpaces();
  if (pos_ >= end_ || text_[pos_] == '\n') return;
  // libyaml takes `#` right after a token for a comment; plain scalars read it as text.
  if (text_[pos_] != '#' || text_[pos_ - 1] != ' ') throw Decline{};
  const std::size_t newline = text_.find('\n', pos_);
  pos_ = newline == npos || newline > end_ ? end_ : newline;
}

YamlPlainScanner::Step YamlPlainScanner::NextDocument() {
  const std::size_t start = pos_, start_line_start = line_start_;
  const std::uint32_t start_line = line_;
  const std::size_t events = out_.events.size(), bytes = out_.bytes.size();
  end_ = text_.size();
  declined_end_ = text_.size();
  nodes_ = depth_ = 0;
  try {
    int column = NextContent();
    if (column < 0) {
      if (!PlainBytes(text_.substr(start))) throw Decline{};
      return Step::kEnd;
    }
    const bool explicit_start = column == 0 && StartsDocument(text_, pos_);
    end_ = NextDocumentLine(text_, explicit_start ? pos_ + 3 : pos_);
    declined_end_ = end_;
    if (end_ - start > limits_.max_document_bytes || !PlainBytes(text_.substr(start, end_ - start)))
      throw Decline{};
    Emit(YamlEventType::kDocumentStart, Here());
    if (explicit_start) {
      pos_ += 3;
      EndOfLine();
      column = NextContent();
    }
    if (column < 0) {
      EmitNode(YamlEventType::kScalar, NextMark(), true);  // an empty document
    } else if (column != 0 || ParseBlockNode(0) >= 0) {
      throw Decline{};  // a root off column 0, or content after it (cannot happen at column 0)
    }
    Emit(YamlEventType::kDocumentEnd, NextMark());
    return Step::kDocument;
  } catch (const Decline&) {
    out_.events.resize(events);
    out_.bytes.resize(bytes);
    pos_ = start;
    line_start_ = start_line_start;
    line_ = start_line;
    return Step::kDeclined;
  }
}

void YamlPlainScanner::RecordStreamEnd() {
  pos_ = end_ = text_.size();
  Emit(YamlEventType::kStreamEnd, EndMark());
}

int YamlPlainScanner::ParseBlockNode(int column) {
  if (AtSequenceEntry()) return ParseBlockSequence(column, false);
  if (KeyColon(pos_) == npos) throw Decline{};  // a scalar or flow collection on its own line
  return ParseBlockMapping(column);
}

int YamlPlainScanner::ParseBlockMapping(int column) {
  EmitNode(YamlEventType::kMappingStart, Here());
  for (;;) {
    const std::size_t colon = KeyColon(pos_);
    if (colon == npos) throw Decline{};
    if (text_[pos_] == '"' || text_[pos_] == '\'') {
      ParseQuoted();
    } else {
      std::size_t end = colon;
      while (text_[end - 1] == ' ') --end;
      EmitNode(YamlEventType::kScalar, Here(), true, text_.substr(pos_, end - pos_));
    }
    pos_ = colon + 1;
    const int next = ParseBlockValue(column, Here(), true);
    if (next > column) throw Decline{};
    if (next < column) {
      EmitEnd(YamlEventType::kMappingEnd, column);
      return next;
    }
  }
}

int YamlPlainScanner::ParseBlockSequence(int column, bool indentless) {
  EmitNode(YamlEventType::kSequenceStart, Here());
  for (;;) {
    ++pos_;  // the `-`
    const int next = ParseBlockValue(column, Here(), false);
    if (next == column && AtSequenceEntry()) continue;
    if (next > column || (next == column && !indentless)) throw Decline{};
    EmitEnd(YamlEventType::kSequenceEnd, column);
    return next;
  }
}

int YamlPlainScanner::ParseBlockValue(int column, Mark empty_at, bool in_mapping) {
  SkipSpaces();
  if (pos_ >= end_ || text_[pos_] == '\n' || text_[pos_] == '#') {
    EndOfLine();
    const int next = NextContent();
    if (next > column) return ParseBlockNode(next);
    // A sequence at the column of its mapping's keys is the value of the key before it.
    if (in_mapping && next == column && AtSequenceEntry()) return ParseBlockSequence(column, true);
    EmitNode(YamlEventType::kScalar, empty_at, true);
    return next;
  }
  if (!in_mapping && (AtSequenceEntry() || KeyColon(pos_) != npos)) {
    return ParseBlockNode(Column());  // `- - x`, `- key: value`: compact nested collections
  }
  ParseInlineValue();
  EndOfLine();
  const int next = NextContent();
  if (next > column) throw Decline{};  // a plain scalar going on, or an error
  return next;
}

std::size_t YamlPlainScanner::KeyColon(std::size_t at) const {
  std::size_t p = at;
  if (text_[at] == '"' || text_[at] == '\'') {
    p = QuotedEnd(at);
    if (p == npos) return npos;
    while (p < end_ && text_[p] == ' ') ++p;
    if (p >= end_ || text_[p] != ':' || !AtBlank(p + 1)) return npos;
  } else {
    if (!PlainStart(at, false)) return npos;
    for (;; ++p) {
      if (p >= end_ || text_[p] == '\n') return npos;
      if (text_[p] == ':' && AtBlank(p + 1)) break;
      if (text_[p] == '#' && text_[p - 1] == ' ') return npos;
    }
  }
  return p - at < kMaxSimpleKey - 24 ? p : npos;
}

bool YamlPlainScanner::PlainStart(std::size_t at, bool flow) const {
  if (at >= end_) return false;
  const char c = text_[at];
  if (c == ' ' || c == '\n' || std::strchr("[]{},#&*!|>'\"%@`?:", c) != nullptr) return false;
  if (c != '-') return true;
  const char next = at + 1 < end_ ? text_[at + 1] : '\n';
  return next != ' ' && next != '\n' && !(flow && IsFlowIndicator(next));
}

std::size_t YamlPlainScanner::QuotedEnd(std::size_t at) const {
  const char quote = text_[at];
  for (std::size_t p = at + 1; p < end_; ++p) {
    const char c = text_[p];
    if (c == '\n' || (quote == '"' && c == '\\')) return npos;  // multi-line, or escapes
    if (c != quote) continue;
    if (quote == '\'' && p + 1 < end_ && text_[p + 1] == '\'') {
      ++p;  // '' stands for '
      continue;
    }
    return p + 1;
  }
  return npos;
}

void YamlPlainScanner::ParseQuoted() {
  const std::size_t end = QuotedEnd(pos_);
  if (end == npos) throw Decline{};
  std::string_view value = text_.substr(pos_ + 1, end - pos_ - 2);
  std::string unescaped;
  if (text_[pos_] == '\'' && value.find('\'') != npos) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      unescaped += value[i];
      if (value[i] == '\'') ++i;
    }
    value = unescaped;
  }
  EmitNode(YamlEventType::kScalar, Here(), false, value);
  pos_ = end;
}

void YamlPlainScanner::ParseInlineValue() {
  const char c = text_[pos_];
  if (c == '[' || c == '{') return ParseFlow();
  if (c == '"' || c == '\'') return ParseQuoted();
  if (!PlainStart(pos_, false)) throw Decline{};
  std::size_t p = pos_;
  for (; p < end_ && text_[p] != '\n'; ++p) {
    if (text_[p] == ':' && AtBlank(p + 1)) throw Decline{};  // a mapping in a value: an error
    if (text_[p] == '#' && text_[p - 1] == ' ') break;
  }
  while (text_[p - 1] == ' ') --p;
  EmitNode(YamlEventType::kScalar, Here(), true, text_.substr(pos_, p - pos_));
  pos_ = p;
}

void YamlPlainScanner::ParseFlow() {
  const bool sequence = text_[pos_] == '[';
  const char close = sequence ? ']' : '}';
  EmitNode(sequence ? YamlEventType::kSequenceStart : YamlEventType::kMappingStart, Here());
  ++pos_;
  SkipSpaces();
  if (pos_ < end_ && text_[pos_] == close) {
    --depth_;
    Emit(sequence ? YamlEventType::kSequenceEnd : YamlEventType::kMappingEnd, Here());
    ++pos_;
    return;
  }
  for (;;) {
    if (!sequence) {
      if (pos_ >= end_ || text_[pos_] == '[' || text_[pos_] == '{') throw Decline{};
      ParseFlowNode();  // the key
      if (pos_ + 1 >= end_ || text_[pos_] != ':' || text_[pos_ + 1] != ' ') throw Decline{};
      pos_ += 2;
      SkipSpaces();
    }
    ParseFlowNode();
    SkipSpaces();
    if (pos_ >= end_) throw Decline{};
    if (text_[pos_] == ',') {
      ++pos_;
      SkipSpaces();
      if (pos_ >= end_ || text_[pos_] == ',' || text_[pos_] == close) throw Decline{};
      continue;
    }
    if (text_[pos_] != close) throw Decline{};
    --depth_;
    Emit(sequence ? YamlEventType::kSequenceEnd : YamlEventType::kMappingEnd, Here());
    ++pos_;
    return;
  }
}

void YamlPlainScanner::ParseFlowNode() {
  if (pos_ >= end_) throw Decline{};
  const char c = text_[pos_];
  if (c == '[' || c == '{') return ParseFlow();
  if (c == '"' || c == '\'') return ParseQuoted();
  if (!PlainStart(pos_, true)) throw Decline{};
  std::size_t p = pos_;
  for (; p < end_; ++p) {
    const char d = text_[p];
    if (d == '\n' || IsFlowIndicator(d)) break;
    if (d == ':') {
      if (p + 1 < end_ && text_[p + 1] == ' ') break;  // a key's end
      throw Decline{};
    }
    if (d == '#') throw Decline{};
  }
  while (text_[p - 1] == ' ') --p;
  EmitNode(YamlEventType::kScalar, Here(), true, text_.substr(pos_, p - pos_));
  pos_ = p;
}

}  // namespace csp::manifest
