#include "csp/manifest/yaml_reader.h"

#include <algorithm>
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

}  // namespace

void ParseYamlStream(std::string_view text, std::string_view file, const Limits& limits,
                     const DocumentSink& on_document, const ErrorSink& on_error) {
  // libyaml decodes ahead in blocks and fails a whole block on a forbidden byte, which could
  // swallow good documents before it: parse only up to the document holding the first such
  // byte, then report that byte.
  const std::size_t invalid = FindInvalidYamlByte(text);
  const std::string_view valid =
      invalid == std::string_view::npos ? text : text.substr(0, DocumentStartBefore(text, invalid));

  const bool in_pieces = ThreadCount(limits) > 1 && valid.size() > 2 * kPieceBytes &&
                         valid.size() < kMaxPieceableBytes;
  const bool completed =
      in_pieces ? ParseYamlPieces(valid, SplitYamlStream(valid, kPieceBytes), ThreadCount(limits),
                                  file, limits, on_document, on_error)
                : ParseYamlText(valid, file, 0, limits, on_document, on_error);
  if (completed && invalid != std::string_view::npos) {
    on_error(ReadError{.file = std::string(file),
                       .line = LineAt(text, invalid),
                       .message = DescribeInvalidByte(static_cast<unsigned char>(text[invalid]))});
  }
}

}  // namespace csp::manifest
