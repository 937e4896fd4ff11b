#include "csp/manifest/yaml_events.h"

#include <yaml.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "csp/manifest/text_position.h"
#include "csp/manifest/yaml_plain_scanner.h"

namespace csp::manifest {
namespace {

int LineOf(const yaml_mark_t& mark) { return static_cast<int>(mark.line) + 1; }

std::string_view View(const yaml_char_t* text) {
  return text == nullptr ? std::string_view() : reinterpret_cast<const char*>(text);
}

YamlEventType TypeOf(yaml_event_type_t type) {
  switch (type) {
    case YAML_STREAM_START_EVENT:
      return YamlEventType::kStreamStart;
    case YAML_STREAM_END_EVENT:
      return YamlEventType::kStreamEnd;
    case YAML_DOCUMENT_START_EVENT:
      return YamlEventType::kDocumentStart;
    case YAML_DOCUMENT_END_EVENT:
      return YamlEventType::kDocumentEnd;
    case YAML_ALIAS_EVENT:
      return YamlEventType::kAlias;
    case YAML_SCALAR_EVENT:
      return YamlEventType::kScalar;
    case YAML_SEQUENCE_START_EVENT:
      return YamlEventType::kSequenceStart;
    case YAML_SEQUENCE_END_EVENT:
      return YamlEventType::kSequenceEnd;
    case YAML_MAPPING_START_EVENT:
      return YamlEventType::kMappingStart;
    case YAML_MAPPING_END_EVENT:
      return YamlEventType::kMappingEnd;
    case YAML_NO_EVENT:
      break;
  }
  return YamlEventType::kNone;
}

// A view of libyaml's event, valid until the event is deleted.
YamlEvent ViewOf(const yaml_event_t& event) {
  YamlEvent view{
      .type = TypeOf(event.type), .line = event.start_mark.line, .index = event.start_mark.index};
  switch (event.type) {
    case YAML_SCALAR_EVENT:
      view.plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
      view.value = std::string_view(reinterpret_cast<const char*>(event.data.scalar.value),
                                    event.data.scalar.length);
      view.tag = View(event.data.scalar.tag);
      view.anchor = View(event.data.scalar.anchor);
      break;
    case YAML_ALIAS_EVENT:
      view.anchor = View(event.data.alias.anchor);
      break;
    case YAML_SEQUENCE_START_EVENT:
      view.anchor = View(event.data.sequence_start.anchor);
      break;
    case YAML_MAPPING_START_EVENT:
      view.anchor = View(event.data.mapping_start.anchor);
      break;
    default:
      break;
  }
  return view;
}

// libyaml's error, located: reader errors carry a byte offset, the others a mark.
ReadError SyntaxError(const yaml_parser_t& parser, std::string_view text, std::string_view file,
                      int line_offset) {
  ReadError error{.file = std::string(file)};
  if (parser.error == YAML_MEMORY_ERROR) {
    error.message = "out of memory while parsing YAML";
    return error;
  }
  error.line =
      line_offset + (parser.error == YAML_READER_ERROR ? LineAt(text, parser.problem_offset)
                                                       : LineOf(parser.problem_mark));
  error.message = parser.problem != nullptr ? parser.problem : "invalid YAML";
  if (parser.context != nullptr) {
    error.message += std::string(" (") + parser.context + " that starts at line " +
                     std::to_string(line_offset + LineOf(parser.context_mark)) + ")";
  }
  return error;
}

// libyaml decodes everything it has read, up to 16 KiB ahead of what it parses. Handing it the
// text in small slices keeps that lookahead short, so that a parse stopped by an error costs
// about what it parsed: the stream reader resumes after each broken document, and a hostile
// file of 100,000 tiny broken documents would otherwise decode 1.6 GB (90 s for 1 MB).
constexpr std::size_t kReadSlice = 512;

class Parser {
 public:
  explicit Parser(std::string_view text) : rest_(text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input(&parser_, &Parser::Read, this);
  }
  ~Parser() { yaml_parser_delete(&parser_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  yaml_parser_t* get() { return &parser_; }

 private:
  static int Read(void* data, unsigned char* buffer, std::size_t size, std::size_t* size_read) {
    std::string_view& rest = static_cast<Parser*>(data)->rest_;
    const std::size_t n = std::min({size, kReadSlice, rest.size()});
    std::memcpy(buffer, rest.data(), n);
    rest.remove_prefix(n);
    *size_read = n;  // 0: the end of the input
    return 1;
  }

  std::string_view rest_;
  yaml_parser_t parser_;
};

// One event, reused: yaml_parser_parse() clears it before filling it and yaml_event_delete()
// after freeing it, so the loop only needs Delete() between events (a third clearing per event
// showed up in profiles).
class Event {
 public:
  Event() { std::memset(&event_, 0, sizeof event_); }
  ~Event() { yaml_event_delete(&event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  yaml_event_t* get() { return &event_; }
  void Delete() { yaml_event_delete(&event_); }

 private:
  yaml_event_t event_;
};

}  // namespace

bool ParseYamlText(std::string_view text, std::string_view file, int line_offset,
                   const Limits& limits, const DocumentSink& on_document, const ErrorSink& on_error,
                   const TapeSink* on_tape) {
  YamlDocumentBuilder builder(file, limits, on_document, on_error);
  builder.set_line_offset(line_offset);
  // Recording holds all of the text's events at once: only for texts the size of a few pieces
  // (bigger ones are cut into pieces when there are threads to parse them; without, their
  // documents are built as trees, which bounds memory by the document, not the file).
  constexpr std::size_t kMaxRecordedBytes = std::size_t{1} << 20;
  if (on_tape != nullptr && text.size() <= kMaxRecordedBytes) {
    // The tape reader needs whole documents' events: record, then replay (as a parse in pieces
    // does, with the same results).
    RecordedYaml recorded = RecordYamlEvents(text, file, line_offset, limits);
    return ReplayYamlEvents(recorded, builder, on_error, on_tape);
  }
  Parser parser(text);
  Event event;
  for (;;) {
    if (!yaml_parser_parse(parser.get(), event.get())) {
      on_error(SyntaxError(*parser.get(), text, file, line_offset));
      return false;
    }
    if (event.get()->type == YAML_STREAM_END_EVENT) return true;
    if (!builder.OnEvent(ViewOf(*event.get()))) return false;
    event.Delete();
  }
}

namespace {

RecordedYaml RecordWithLibyaml(std::string_view text, std::string_view file, int line_offset,
                               const Limits& limits) {
  RecordedYaml recorded;
  recorded.bytes.reserve(text.size() / 2);
  recorded.events.reserve(text.size() / 8);
  Parser parser(text);
  Event event;
  std::size_t depth = 0;
  std::size_t document_start = 0;
  std::size_t document_nodes = 0;
  bool skipping = false;  // the builder has refused the current document
  for (;;) {
    event.Delete();
    if (!yaml_parser_parse(parser.get(), event.get())) {
      recorded.error = SyntaxError(*parser.get(), text, file, line_offset);
      return recorded;
    }
    const YamlEvent view = ViewOf(*event.get());
    bool fatal = false;
    bool node = false;
    switch (view.type) {
      case YamlEventType::kDocumentStart:
        depth = 0;
        document_start = view.index;
        document_nodes = 0;
        skipping = false;
        break;
      case YamlEventType::kSequenceStart:
      case YamlEventType::kMappingStart:
        fatal = ++depth > limits.max_depth;
        node = true;
        break;
      case YamlEventType::kSequenceEnd:
      case YamlEventType::kMappingEnd:
        if (depth > 0) --depth;
        break;
      case YamlEventType::kScalar:
      case YamlEventType::kAlias:
        node = true;
        break;
      default:
        break;
    }
    if (skipping && fatal) {
      // The builder is not seeing this document's containers any more; report as it would.
      recorded.error = ReadError{.file = std::string(file),
                                 .line = line_offset + static_cast<int>(view.line) + 1,
                                 .message = YamlDocumentBuilder::TooDeepMessage(limits.max_depth)};
      return recorded;
    }
    const bool structural =
        view.type == YamlEventType::kDocumentEnd || view.type == YamlEventType::kStreamEnd ||
        view.type == YamlEventType::kDocumentStart || view.type == YamlEventType::kStreamStart;
    if (!skipping || structural) {
      recorded.events.push_back(
          RecordedYaml::Event{.type = view.type,
                              .plain = view.plain,
                              .line = static_cast<std::uint32_t>(view.line),
                              .index = static_cast<std::uint32_t>(view.index),
                              .value_at = static_cast<std::uint32_t>(recorded.bytes.size()),
                              .value_size = static_cast<std::uint32_t>(view.value.size()),
                              .tag_size = static_cast<std::uint32_t>(view.tag.size()),
                              .anchor_size = static_cast<std::uint32_t>(view.anchor.size())});
      recorded.bytes.append(view.value);
      recorded.bytes.append(view.tag);
      recorded.bytes.append(view.anchor);
    }
    if (view.type == YamlEventType::kStreamEnd || fatal) return recorded;
    if (node && !skipping) {
      ++document_nodes;
      skipping = document_nodes > limits.max_nodes_per_document ||
                 view.index - document_start > limits.max_document_bytes;
    }
  }
}

// Appends `part`'s events, recorded from the text `line` lines and `index` characters into the
// piece, leaving out its STREAM-START and, unless `stream_end`, its STREAM-END.
void Append(RecordedYaml& recorded, const RecordedYaml& part, std::uint32_t line, std::size_t index,
            bool stream_end) {
  const auto bytes = static_cast<std::uint32_t>(recorded.bytes.size());
  for (RecordedYaml::Event e : part.events) {
    if (e.type == YamlEventType::kStreamStart) continue;
    if (e.type == YamlEventType::kStreamEnd && !stream_end) continue;
    e.line += line;
    e.index += static_cast<std::uint32_t>(index);
    e.value_at += bytes;
    recorded.events.push_back(e);
  }
  recorded.bytes.append(part.bytes);
}

// libyaml read the text to its end without an error or stopping early.
bool EndsCleanly(const RecordedYaml& recorded) {
  const std::vector<RecordedYaml::Event>& events = recorded.events;
  return !recorded.error && events.size() >= 2 && events.back().type == YamlEventType::kStreamEnd &&
         events[events.size() - 2].type == YamlEventType::kDocumentEnd;
}

}  // namespace

RecordedYaml RecordYamlEvents(std::string_view text, std::string_view file, int line_offset,
                              const Limits& limits) {
  // A byte order mark is skipped by libyaml without counting it, and says the text may not be
  // UTF-8: all of it goes to libyaml.
  if (!limits.plain_yaml_scanner || text.starts_with("\xEF\xBB\xBF") ||
      text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    return RecordWithLibyaml(text, file, line_offset, limits);
  }
  RecordedYaml recorded;
  recorded.bytes.reserve(text.size() / 2);
  recorded.events.reserve(text.size() / 8);
  recorded.events.push_back({.type = YamlEventType::kStreamStart});
  YamlPlainScanner scanner(text, limits, recorded);
  std::size_t index = 0;  // libyaml's character index of the scanner's position
  for (;;) {
    const std::size_t from = scanner.position();
    const YamlPlainScanner::Step step = scanner.NextDocument();
    if (step == YamlPlainScanner::Step::kEnd) {
      scanner.RecordStreamEnd();
      return recorded;
    }
    index += scanner.position() - from;  // what the scanner reads is ASCII
    if (step == YamlPlainScanner::Step::kDocument) continue;
    // The document it declined goes to libyaml alone, when libyaml reads it without an error
    // (the same events as in the stream: it ends at a line starting a document); else libyaml
    // reads all the rest, so that errors and where reading stops are libyaml's.
    const std::uint32_t line = scanner.line();
    const std::size_t end = scanner.declined_end();
    const std::string_view document = text.substr(from, end - from);
    const int document_line_offset = line_offset + static_cast<int>(line);
    if (end < text.size()) {
      RecordedYaml one = RecordWithLibyaml(document, file, document_line_offset, limits);
      if (EndsCleanly(one)) {
        Append(recorded, one, line, index, false);
        // libyaml's STREAM-END is at the start of the next line (lone CRs, NEL, LS and PS
        // break lines too) and its index counts characters, not bytes.
        const RecordedYaml::Event& stream_end = one.events.back();
        index += stream_end.index;
        scanner.SkipTo(end, line + stream_end.line, index);
        continue;
      }
    }
    RecordedYaml rest = RecordWithLibyaml(text.substr(from), file, document_line_offset, limits);
    Append(recorded, rest, line, index, true);
    recorded.error = std::move(rest.error);
    return recorded;
  }
}

namespace {

// A recorded event as the builder takes it: its strings viewing `bytes`.
YamlEvent EventOf(std::string_view bytes, const TapeEvent& record) {
  const std::size_t tag_at = record.value_at + record.value_size;
  const std::size_t anchor_at = tag_at + record.tag_size;
  return {.type = record.type,
          .plain = record.plain,
          .line = record.line,
          .index = record.index,
          .value = bytes.substr(record.value_at, record.value_size),
          .tag = bytes.substr(tag_at, record.tag_size),
          .anchor = bytes.substr(anchor_at, record.anchor_size)};
}

// The index of the DOCUMENT-END event of the document starting at `start`, or npos when the
// recording stops before it.
std::size_t DocumentEnd(const std::vector<RecordedYaml::Event>& events, std::size_t start) {
  for (std::size_t i = start + 1; i < events.size(); ++i) {
    const YamlEventType type = events[i].type;
    if (type == YamlEventType::kDocumentEnd) return i;
    if (type == YamlEventType::kDocumentStart || type == YamlEventType::kStreamEnd) break;
  }
  return std::string_view::npos;
}

}  // namespace

bool ReplayYamlEvents(RecordedYaml& recorded, YamlDocumentBuilder& builder,
                      const ErrorSink& on_error, const TapeSink* on_tape) {
  const std::string_view bytes = recorded.bytes;
  const std::vector<RecordedYaml::Event>& events = recorded.events;
  std::size_t whole_documents = 0;  // offered so far: the index into recorded.prepared
  for (std::size_t i = 0; i < events.size(); ++i) {
    const RecordedYaml::Event& record = events[i];
    if (on_tape != nullptr && record.type == YamlEventType::kDocumentStart) {
      if (const std::size_t end = DocumentEnd(events, i); end != std::string_view::npos) {
        const std::size_t n = whole_documents++;
        const YamlTape tape{
            .events = std::span(events).subspan(i, end - i + 1),
            .bytes = bytes,
            .line_offset = builder.line_offset(),
            .prepared = n < recorded.prepared.size() ? &recorded.prepared[n] : nullptr};
        if ((*on_tape)(tape)) {
          i = end;
          continue;
        }
      }
    }
    if (!builder.OnEvent(EventOf(bytes, record))) return false;
  }
  if (recorded.error) {
    ReadError error = *recorded.error;
    on_error(std::move(error));
    return false;
  }
  return true;
}

void PrepareYamlDocuments(RecordedYaml& recorded, int line_offset, const TapePreparer& prepare) {
  const std::vector<RecordedYaml::Event>& events = recorded.events;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].type != YamlEventType::kDocumentStart) continue;
    const std::size_t end = DocumentEnd(events, i);
    if (end == std::string_view::npos) continue;  // as ReplayYamlEvents: not offered
    const YamlTape tape{.events = std::span(events).subspan(i, end - i + 1),
                        .bytes = recorded.bytes,
                        .line_offset = line_offset};
    recorded.prepared.push_back(prepare(tape));
    i = end;
  }
}

}  // namespace csp::manifest
