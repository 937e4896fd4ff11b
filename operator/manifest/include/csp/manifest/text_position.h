// Byte offsets to 1-based line numbers, and the input checks the parsers need before they start.
#pragma once

#include <cstddef>
#include <string_view>

namespace csp::manifest {

// 1-based line of the byte at `offset` (clamped to the text).
int LineAt(std::string_view text, std::size_t offset);

// Turns increasing offsets into lines in one pass over the text overall.
// The number of '\n' bytes in `text`; eight bytes at a time (a large stream's line offsets are
// counted before its pieces are read in parallel: this is on the critical path).
std::size_t CountNewlines(std::string_view text);

class LineCounter {
 public:
  explicit LineCounter(std::string_view text) : text_(text) {}
  int LineAt(std::size_t offset);

 private:
  std::string_view text_;
  std::size_t offset_ = 0;
  int line_ = 1;
};

// Offset of the first byte that YAML forbids in a UTF-8 stream (invalid UTF-8, a surrogate, or a
// control character other than tab, LF, CR and NEL), or npos if there is none. libyaml decodes
// ahead in 16 KiB blocks and fails the whole block on such a byte, so the reader checks first and
// parses only the documents before it.
std::size_t FindInvalidYamlByte(std::string_view text);

// Offset of the first byte of 1-based `line`; the text's size when it has fewer lines.
std::size_t LineOffset(std::string_view text, int line);

// Offset of the first line, starting at or after `offset`, that separates documents as kubectl's
// YAML reader splits a file: `---` at column 0 followed by nothing but blanks and, optionally, a
// `# comment`; npos when there is none. Reading resumes there after a broken document.
std::size_t NextSeparatorLine(std::string_view text, std::size_t offset);

// Offset where the document containing `offset` starts: the beginning of the last line at or
// before it that starts with a document marker (`---` or `...`), or 0.
std::size_t DocumentStartBefore(std::string_view text, std::size_t offset);

}  // namespace csp::manifest
