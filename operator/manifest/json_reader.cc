// A SAX handler that builds the DOM itself, so that it can enforce the Limits, refuse duplicate
// keys and note where each value starts. nlohmann's parser is iterative, so nesting cannot
// exhaust the stack; the handler stops building past max_depth.
#include "csp/manifest/json_reader.h"

#include <cstddef>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "csp/manifest/text_position.h"

namespace csp::manifest {
namespace {

using nlohmann::json;

// Walks the text for nlohmann's lexer and publishes how far it has read, which nlohmann's SAX
// interface does not say (the lexer reads one character at a time, never further).
class TrackingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIterator(const char* position, const char** cursor) : p_(position), cursor_(cursor) {}
  reference operator*() const { return *p_; }
  TrackingIterator& operator++() {
    *cursor_ = ++p_;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TrackingIterator& other) const { return p_ == other.p_; }

 private:
  const char* p_;
  const char** cursor_;
};

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 5: "; the reader gives its own location, so keep what follows.
std::string StripNlohmannPrefix(const std::string& what) {
  std::size_t from = what.find("column ");
  if (from != std::string::npos) from = what.find(": ", from);
  if (from == std::string::npos) from = what.find("] ");
  return from == std::string::npos ? what : what.substr(from + 2);
}

class JsonBuilder {
 public:
  JsonBuilder(std::string_view text, const char* const& cursor, LineCounter& lines,
              const Limits& limits)
      : text_(text), cursor_(cursor), lines_(lines), limits_(limits) {}

  // The SAX interface (nlohmann::json_sax). Returning true always: a document that breaks a
  // limit is skipped to its end, so that the next one can be read.
  bool null() { return Put(json(nullptr), 0); }
  bool boolean(bool value) { return Put(json(value), 0); }
  bool number_integer(json::number_integer_t value) { return Put(json(value), 0); }
  bool number_unsigned(json::number_unsigned_t value) { return Put(json(value), 0); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    return Put(json(value), 0);
  }
  bool string(json::string_t& value) {
    if (failed_) return true;
    if (value.size() > limits_.max_scalar_bytes) return Fail(TooLong(value.size()));
    const std::size_t size = value.size();
    return Put(json(std::move(value)), size);
  }
  bool binary(json::binary_t& /*value*/) { return Fail("binary values are not JSON"); }
  bool start_object(std::size_t /*elements*/) { return Open(json::value_t::object); }
  bool start_array(std::size_t /*elements*/) { return Open(json::value_t::array); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(json::string_t& key) {
    if (failed_) return true;
    if (key.size() > limits_.max_scalar_bytes) return Fail(TooLong(key.size()));
    if (!Count(1, key.size())) return true;
    items_pending_ = stack_.size() == 1 && key == "items";
    services_pending_ = stack_.size() == 1 && key == "services";
    if (stack_.size() == 2 && stack_.back() == services_)
      key_lines_.emplace_back(key, CurrentLine());
    auto [it, inserted] =
        stack_.back()->get_ref<json::object_t&>().emplace(std::move(key), nullptr);
    if (!inserted) return Fail("mapping key \"" + it->first + "\" already defined");
    slot_ = &it->second;
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) {
    syntax_error_ = StripNlohmannPrefix(error.what());
    return false;
  }

  // After a parse.
  bool failed() const { return failed_; }
  const std::string& syntax_error() const { return syntax_error_; }
  const std::string& error() const { return error_; }
  int error_line() const { return error_line_; }
  json& root() { return root_; }
  std::vector<int>& item_lines() { return item_lines_; }
  std::vector<std::pair<std::string, int>>& key_lines() { return key_lines_; }

 private:
  std::size_t Offset() const { return static_cast<std::size_t>(cursor_ - text_.data()); }
  // Line of the token the lexer has just read (its last character).
  int CurrentLine() { return lines_.LineAt(Offset() == 0 ? 0 : Offset() - 1); }

  std::string TooLong(std::size_t size) const {
    return "string of " + std::to_string(size) + " bytes exceeds the limit of " +
           std::to_string(limits_.max_scalar_bytes) + " bytes";
  }

  bool Fail(std::string message) {
    if (failed_) return true;
    failed_ = true;
    error_ = std::move(message);
    error_line_ = CurrentLine();
    stack_.clear();
    root_ = nullptr;
    return true;
  }

  bool Count(std::size_t nodes, std::size_t bytes) {
    if (start_ == std::string_view::npos) start_ = Offset() == 0 ? 0 : Offset() - 1;
    nodes_ += nodes;
    bytes_ += bytes;
    if (nodes_ > limits_.max_nodes_per_document) {
      Fail("document has more than " + std::to_string(limits_.max_nodes_per_document) + " nodes");
      return false;
    }
    if (Offset() - start_ > limits_.max_document_bytes) {
      Fail("document is larger than " + std::to_string(limits_.max_document_bytes) + " bytes");
      return false;
    }
    return true;
  }

  // Places a finished value (or a container about to be filled); returns where it now lives.
  json* Place(json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      if (&top == items_ || stack_.size() == 1) item_lines_.push_back(CurrentLine());
      auto& elements = top.get_ref<json::array_t&>();
      elements.push_back(std::move(value));
      return &elements.back();
    }
    *slot_ = std::move(value);
    return slot_;
  }

  bool Put(json&& value, std::size_t bytes) {
    if (failed_ || !Count(1, bytes)) return true;
    Place(std::move(value));
    return true;
  }

  bool Open(json::value_t type) {
    if (failed_) return true;
    if (stack_.size() >= limits_.max_depth) {
      return Fail("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    if (!Count(1, 0)) return true;
    const bool is_items = type == json::value_t::array && stack_.size() == 1 && items_pending_;
    const bool is_services =
        type == json::value_t::object && stack_.size() == 1 && services_pending_;
    items_pending_ = false;
    services_pending_ = false;
    stack_.push_back(Place(json(type)));
    if (is_items) items_ = stack_.back();
    if (is_services) services_ = stack_.back();
    return true;
  }

  bool Close() {
    if (!failed_ && !stack_.empty()) stack_.pop_back();
    return true;
  }

  std::string_view text_;
  const char* const& cursor_;
  LineCounter& lines_;
  const Limits& limits_;

  json root_ = {};
  std::vector<json*> stack_ = {};
  json* slot_ = nullptr;
  bool items_pending_ = false;   // the root object's pending key is "items"
  const json* items_ = nullptr;  // the root's `items` array: record element lines
  std::vector<int> item_lines_ = {};
  bool services_pending_ = false;   // the root object's pending key is "services"
  const json* services_ = nullptr;  // the root's `services` object: record key lines
  std::vector<std::pair<std::string, int>> key_lines_ = {};
  std::size_t start_ = std::string_view::npos;
  std::size_t nodes_ = 0;
  std::size_t bytes_ = 0;
  bool failed_ = false;
  std::string error_ = {};
  int error_line_ = 0;
  std::string syntax_error_ = {};
};

std::size_t SkipWhitespace(std::string_view text, std::size_t offset) {
  while (offset < text.size()) {
    const char c = text[offset];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++offset;
  }
  return offset;
}

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

// Returns false, having reported nothing, when `first_error_means_not_json` and the first value
// has a syntax error.
bool ParseJson(std::string_view text, std::string_view file, const Limits& limits,
               const DocumentSink& on_document, const ErrorSink& on_error,
               bool first_error_means_not_json) {
  LineCounter lines(text);
  std::size_t offset = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  offset = SkipWhitespace(text, offset);
  const char* const end = text.data() + text.size();
  while (offset < text.size()) {
    const char* cursor = text.data() + offset;
    const int line = lines.LineAt(offset);
    JsonBuilder builder(text, cursor, lines, limits);
    json::sax_parse(TrackingIterator(text.data() + offset, &cursor), TrackingIterator(end, &cursor),
                    &builder, nlohmann::json::input_format_t::json, /*strict=*/false);
    if (first_error_means_not_json && !builder.syntax_error().empty()) return false;
    first_error_means_not_json = false;
    if (builder.failed()) {
      on_error(ReadError{
          .file = std::string(file), .line = builder.error_line(), .message = builder.error()});
    }
    if (!builder.syntax_error().empty()) {
      const std::size_t at = static_cast<std::size_t>(cursor - text.data());
      on_error(ReadError{.file = std::string(file),
                         .line = lines.LineAt(at == 0 ? 0 : at - 1),
                         .message = builder.syntax_error()});
      return true;
    }
    std::size_t next = static_cast<std::size_t>(cursor - text.data());
    // A top-level number is only known to end when the lexer has read the character after it.
    if (builder.root().is_number() && next > offset && !IsNumberChar(text[next - 1])) --next;
    if (!builder.failed()) {
      on_document(Document{.file = file,
                           .line = line,
                           .value = std::move(builder.root()),
                           .item_lines = std::move(builder.item_lines()),
                           .key_lines = std::move(builder.key_lines())});
    }
    offset = SkipWhitespace(text, next);
  }
  return true;
}

}  // namespace

void ParseJsonStream(std::string_view text, std::string_view file, const Limits& limits,
                     const DocumentSink& on_document, const ErrorSink& on_error) {
  ParseJson(text, file, limits, on_document, on_error, /*first_error_means_not_json=*/false);
}

bool TryParseJsonStream(std::string_view text, std::string_view file, const Limits& limits,
                        const DocumentSink& on_document, const ErrorSink& on_error) {
  return ParseJson(text, file, limits, on_document, on_error, /*first_error_means_not_json=*/true);
}

}  // namespace csp::manifest
