#include "csp/manifest/yaml_reader.h"

#include <algorithm>
#include <optional>
#include <string>
#include <thread>

#include "csp/manifest/text_position.h"
#include "csp/manifest/yaml_events.h"
#include "csp/manifest/yaml_pieces.h"

namespace csp::manifest {
namespace {

// Pieces small enough that the documents parsed ahead stay a few MB, big enough that handing
// them between threads costs nothing measurable.
constexpr std::size_t kPieceBytes = std::size_t{256} << 10;
constexpr std::size_t kMaxThreads = 4;
// Recorded events keep 32-bit offsets.
constexpr std::size_t kMaxPieceableBytes = std::size_t{1} << 32;
constexpr std::size_t npos = std::string_view::npos;

std::size_t ThreadCount(const Limits& limits) {
  const std::size_t wanted =
      limits.threads != 0 ? limits.threads : std::thread::hardware_concurrency();
  return std::clamp<std::size_t>(wanted, 1, kMaxThreads);
}

std::string DescribeInvalidByte(unsigned char byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex = "0x";
  hex += kHex[byte >> 4];
  hex += kHex[byte & 0xF];
  if (byte < 0x80) return "control character " + hex + " is not allowed in YAML (binary data?)";
  return "invalid or disallowed UTF-8 sequence starting with byte " + hex + " (binary data?)";
}

// Parses `text` (free of forbidden bytes; the file's start or a separator line of it, whose
// first line is line_offset + 1), in pieces on worker threads when it is big and the file's
// start. Returns the line of the error that stopped it early (a syntax error or nesting beyond
// max_depth), 0 when that error has no line, nullopt when the text was read to its end.
//
// What follows a broken document is read on the calling thread: a parse in pieces costs time in
// proportion to all the text after it (cutting, counting lines, parsing pieces ahead) however
// early it stops, and a file may hold thousands of broken documents.
std::optional<int> ParseStretch(std::string_view text, std::string_view file, int line_offset,
                                const Limits& limits, const DocumentSink& on_document,
                                const ErrorSink& on_error, const TapeSink* on_tape,
                                const TapePreparer* prepare) {
  // The error that stops a parse is the last one reported before it returns.
  int last_error_line = 0;
  const ErrorSink report = [&](ReadError&& error) {
    last_error_line = error.line;
    on_error(std::move(error));
  };
  const bool in_pieces = line_offset == 0 && ThreadCount(limits) > 1 &&
                         text.size() > 2 * kPieceBytes && text.size() < kMaxPieceableBytes;
  const bool completed =
      in_pieces ? ParseYamlPieces(text, SplitYamlStream(text, kPieceBytes), ThreadCount(limits),
                                  file, line_offset, limits, on_document, report, on_tape, prepare)
                : ParseYamlText(text, file, line_offset, limits, on_document, report, on_tape);
  if (completed) return std::nullopt;
  return last_error_line;
}

}  // namespace

void ParseYamlStream(std::string_view text, std::string_view file, const Limits& limits,
                     const DocumentSink& on_document, const ErrorSink& on_error,
                     const TapeSink* on_tape, const TapePreparer* prepare) {
  // Each pass reads from the file's start or a separator line up to the end, a broken document
  // or a forbidden byte, then resumes at the first separator line after what broke. Every scan
  // of the text moves forward only, so a file of many broken documents costs linear time.
  std::size_t from = 0;
  LineCounter lines(text);
  // libyaml decodes ahead in blocks and fails a whole block on a forbidden byte, which could
  // swallow good documents before it: parse only up to the document holding the first such
  // byte (`valid_end`), then report that byte.
  std::size_t invalid = FindInvalidYamlByte(text);
  std::size_t valid_end = invalid == npos ? text.size() : DocumentStartBefore(text, invalid);
  for (;;) {
    // Resumed past valid_end: at the `---` of the document holding the byte (comments or
    // directives before it belong to that document), or beyond the byte.
    if (valid_end < from) {
      invalid = FindInvalidYamlByte(text.substr(from));
      invalid = invalid == npos ? npos : from + invalid;
      valid_end = invalid == npos ? text.size()
                                  : from + DocumentStartBefore(text.substr(from), invalid - from);
    }
    const std::string_view rest = text.substr(from);
    const int line_offset = lines.LineAt(from) - 1;
    std::size_t resume = npos;
    if (const std::optional<int> stopped =
            ParseStretch(text.substr(from, valid_end - from), file, line_offset, limits,
                         on_document, on_error, on_tape, prepare)) {
      if (*stopped <= line_offset) return;  // not located (out of memory): nowhere to resume
      // At or after the line of the error: libyaml reports an unterminated quote or flow
      // collection at the separator that ends it, which then starts the next document. After
      // the first line, so that every pass moves on.
      resume = NextSeparatorLine(
          rest, std::max<std::size_t>(1, LineOffset(rest, *stopped - line_offset)));
    } else if (invalid != npos) {
      on_error(
          ReadError{.file = std::string(file),
                    .line = lines.LineAt(invalid),
                    .message = DescribeInvalidByte(static_cast<unsigned char>(text[invalid]))});
      resume = NextSeparatorLine(rest, invalid - from);
    }
    if (resume == npos) return;
    from += resume;
  }
}

}  // namespace csp::manifest
