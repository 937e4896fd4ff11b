#include "csp/report/json_writer.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace csp::report {
namespace {

// The bytes a JSON string must escape: control characters, '"' and '\\'.
constexpr std::array<bool, 256> kMustEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// The length of the prefix of `s` that needs no escape. Eight bytes at a time: a byte below
// 0x20, '"' or '\\' sets the high bit of its lane in one of the three masks (the classic
// "has less than" and "has zero" tests: exact about whether any lane matches); then the lane is
// found byte by byte.
std::size_t PlainPrefix(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t control = (w - kOnes * 0x20) & ~w;
    const std::uint64_t quote = ((w ^ (kOnes * '"')) - kOnes) & ~(w ^ (kOnes * '"'));
    const std::uint64_t backslash = ((w ^ (kOnes * '\\')) - kOnes) & ~(w ^ (kOnes * '\\'));
    if (((control | quote | backslash) & kHighs) != 0) break;
  }
  while (i < s.size() && !kMustEscape[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

}  // namespace

void JsonWriter::Newline(int level) {
  out_ += '\n';
  out_.append(static_cast<std::size_t>(level * indent_), ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;  // the top-level value
  if (!first_.back()) out_ += ',';
  first_.back() = false;
  if (indent_ >= 0) Newline(level_);
}

void JsonWriter::Open(char c) {
  BeforeValue();
  out_ += c;
  first_.push_back(true);
  ++level_;
}

void JsonWriter::Close(char c) {
  --level_;
  if (!first_.back() && indent_ >= 0) Newline(level_);
  first_.pop_back();
  out_ += c;
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  Escaped(key);
  out_ += indent_ >= 0 ? ": " : ":";
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  Escaped(value);
}

void JsonWriter::Int(std::int64_t value) {
  BeforeValue();
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out_.append(buf, end);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

void JsonWriter::Escaped(std::string_view s) {
  out_ += '"';
  // Runs of characters that need no escape are appended whole (most strings are one run).
  std::size_t run = 0;
  for (std::size_t i = PlainPrefix(s); i < s.size(); ++i) {
    const char c = s[i];
    if (!kMustEscape[static_cast<unsigned char>(c)]) continue;
    out_.append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\b':
        out_ += "\\b";
        break;
      case '\f':
        out_ += "\\f";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out_ += buf;
      }
    }
  }
  out_.append(s, run, s.size() - run);
  out_ += '"';
}

}  // namespace csp::report
