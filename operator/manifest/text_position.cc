#include "csp/manifest/text_position.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace csp::manifest {
namespace {

// Bytes YAML allows as they are in ASCII text: tab, LF, CR, and 0x20..0x7E.
constexpr bool IsAllowedAscii(unsigned char c) {
  return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0x7E);
}

// The Unicode ranges libyaml's reader accepts (the YAML 1.1 printable set).
constexpr bool IsAllowedCodePoint(std::uint32_t c) {
  return c == 0x85 || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

// Length of the valid, allowed UTF-8 sequence starting at a non-ASCII byte, or 0.
std::size_t AllowedSequenceLength(const unsigned char* p, std::size_t available) {
  const unsigned char lead = p[0];
  std::size_t length = 0;
  std::uint32_t value = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    value = lead & 0x07;
  } else {
    return 0;
  }
  if (length > available) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    value = (value << 6) | (p[k] & 0x3F);
  }
  const bool overlong = (length == 2 && value < 0x80) || (length == 3 && value < 0x800) ||
                        (length == 4 && value < 0x10000);
  if (overlong || !IsAllowedCodePoint(value)) return 0;
  return length;
}

bool StartsWithMarker(std::string_view line) {
  if (!line.starts_with("---") && !line.starts_with("...")) return false;
  if (line.size() == 3) return true;
  const char next = line[3];
  return next == ' ' || next == '\t' || next == '\r' || next == '\n';
}

// `line` without its line break.
bool IsSeparatorLine(std::string_view line) {
  if (!line.starts_with("---")) return false;
  line.remove_prefix(3);
  if (line.empty()) return true;
  if (line[0] != ' ' && line[0] != '\t' && line[0] != '\r') return false;  // `---x` is a scalar
  const std::size_t content = line.find_first_not_of(" \t\r");
  return content == std::string_view::npos || line[content] == '#';
}

std::size_t LineStart(std::string_view text, std::size_t offset) {
  const std::size_t newline = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  return newline == std::string_view::npos ? 0 : newline + 1;
}

}  // namespace

int LineAt(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}

std::size_t CountNewlines(std::string_view text) {
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  std::size_t count = 0;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    const std::uint64_t x = w ^ (kOnes * '\n');
    // The high bit of each byte of x that is 0, exactly (no borrow between bytes).
    count += static_cast<std::size_t>(std::popcount(~(((x & ~kHigh) + ~kHigh) | x) & kHigh));
  }
  for (; i < text.size(); ++i) count += text[i] == '\n' ? 1 : 0;
  return count;
}

int LineCounter::LineAt(std::size_t offset) {
  offset = std::min(offset, text_.size());
  if (offset < offset_) {  // not monotonic: count from the start
    offset_ = 0;
    line_ = 1;
  }
  line_ += static_cast<int>(CountNewlines(text_.substr(offset_, offset - offset_)));
  offset_ = offset;
  return line_;
}

std::size_t FindInvalidYamlByte(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  // UTF-16 input (by its BOM) is libyaml's to decode and check.
  if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
    return std::string_view::npos;
  }
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  std::size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time: none >= 0x80, none == 0x7F, and every byte below 0x20 a tab,
    // LF or CR. With no byte >= 0x80 these per-byte tests cannot borrow across bytes.
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & kHigh) == 0) {
        auto zero_bytes = [&](std::uint64_t x) {  // high bit set in each byte of x that is 0
          return ~(((x & ~kHigh) + ~kHigh) | x) & kHigh;
        };
        const std::uint64_t control = (kOnes * 0x9F - w) & kHigh;  // bytes < 0x20
        const std::uint64_t allowed = zero_bytes(w ^ (kOnes * '\n')) |
                                      zero_bytes(w ^ (kOnes * '\t')) |
                                      zero_bytes(w ^ (kOnes * '\r'));
        if ((control & ~allowed) == 0 && zero_bytes(w ^ (kOnes * 0x7F)) == 0) {
          i += 8;
          continue;
        }
      }
    }
    const std::size_t stop = std::min(n, i + 8);
    while (i < stop) {
      if (p[i] < 0x80) {
        if (!IsAllowedAscii(p[i])) return i;
        ++i;
        continue;
      }
      const std::size_t length = AllowedSequenceLength(p + i, n - i);
      if (length == 0) return i;
      i += length;
    }
  }
  return std::string_view::npos;
}

std::size_t DocumentStartBefore(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t start = LineStart(text, offset);
  while (!StartsWithMarker(text.substr(start))) {
    if (start == 0) return 0;
    start = LineStart(text, start - 1);
  }
  // Directives (and comments between them) before `---` belong to the document it starts.
  while (start > 0) {
    const std::size_t previous = LineStart(text, start - 1);
    const char first = text[previous];
    if (first != '%' && first != '#') break;
    start = previous;
  }
  return start;
}

std::size_t LineOffset(std::string_view text, int line) {
  std::size_t offset = 0;
  for (int i = 1; i < line; ++i) {
    const std::size_t newline = text.find('\n', offset);
    if (newline == std::string_view::npos) return text.size();
    offset = newline + 1;
  }
  return offset;
}

std::size_t NextSeparatorLine(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t start = offset;
  if (LineStart(text, offset) != offset) {
    start = text.find('\n', offset);
    if (start == std::string_view::npos) return std::string_view::npos;
    ++start;
  }
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (IsSeparatorLine(text.substr(start, end == std::string_view::npos ? end : end - start))) {
      return start;
    }
    if (end == std::string_view::npos) break;
    const std::size_t next = text.find("\n---", end);
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  return std::string_view::npos;
}

}  // namespace csp::manifest
