#include "csp/manifest/yaml_pieces.h"

#include <algorithm>
#include <exception>

#include "csp/manifest/ordered_work.h"
#include "csp/manifest/text_position.h"
#include "csp/manifest/yaml_document_builder.h"
#include "csp/manifest/yaml_events.h"

namespace csp::manifest {
namespace {

bool HasDirectives(std::string_view text) {
  return text.starts_with('%') || text.find("\n%") != std::string_view::npos;
}

bool IsUtf16(std::string_view text) {
  return text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF");
}

}  // namespace

bool StartsDocument(std::string_view text, std::size_t at) {
  if (text.compare(at, 3, "---") != 0) return false;
  if (at + 3 == text.size()) return true;
  const char next = text[at + 3];
  return next == ' ' || next == '\t' || next == '\r' || next == '\n';
}

std::vector<std::size_t> SplitYamlStream(std::string_view text, std::size_t piece_bytes) {
  std::vector<std::size_t> starts = {0};
  if (piece_bytes == 0 || text.size() <= piece_bytes || IsUtf16(text) || HasDirectives(text)) {
    return starts;
  }
  std::size_t from = piece_bytes;
  while (from < text.size()) {
    const std::size_t newline = text.find("\n---", from - 1);
    if (newline == std::string_view::npos) break;
    const std::size_t start = newline + 1;
    if (StartsDocument(text, start)) {
      starts.push_back(start);
      from = start + piece_bytes;
    } else {
      from = start + 1;
    }
  }
  return starts;
}

bool ParseYamlPieces(std::string_view text, const std::vector<std::size_t>& starts,
                     std::size_t threads, std::string_view file, int line_offset,
                     const Limits& limits, const DocumentSink& on_document,
                     const ErrorSink& on_error, const TapeSink* on_tape,
                     const TapePreparer* prepare) {
  const std::size_t count = starts.size();
  if (count <= 1 || threads <= 1) {
    return ParseYamlText(text, file, line_offset, limits, on_document, on_error, on_tape);
  }
  std::vector<std::string_view> texts(count);
  std::vector<int> line_offsets(count, line_offset);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t end = i + 1 < count ? starts[i + 1] : text.size();
    texts[i] = text.substr(starts[i], end - starts[i]);
    if (i > 0) {
      line_offsets[i] = line_offsets[i - 1] + static_cast<int>(CountNewlines(texts[i - 1]));
    }
  }

  // At most threads + 1 pieces recorded ahead of the one being built: bounded memory.
  YamlDocumentBuilder builder(file, limits, on_document, on_error);
  auto record = [&](std::size_t i) {
    try {
      RecordedYaml recorded = RecordYamlEvents(texts[i], file, line_offsets[i], limits);
      if (on_tape != nullptr && prepare != nullptr) {
        PrepareYamlDocuments(recorded, line_offsets[i], *prepare);
      }
      return recorded;
    } catch (const std::exception& e) {  // bad_alloc, in practice
      return RecordedYaml{.error = ReadError{.file = std::string(file),
                                             .line = line_offsets[i] + 1,
                                             .message = std::string("cannot parse: ") + e.what()}};
    }
  };
  auto replay = [&](std::size_t i, RecordedYaml&& recorded) {
    builder.set_line_offset(line_offsets[i]);
    return ReplayYamlEvents(recorded, builder, on_error, on_tape);  // false: nothing after it
  };
  return ProduceInOrder<RecordedYaml>(count, threads, threads + 1, record, replay);
}

}  // namespace csp::manifest
