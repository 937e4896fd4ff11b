// Internal to csp_manifest: YAML events to documents, with the semantics of yaml_reader.h.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "csp/manifest/document.h"
#include "csp/manifest/yaml_event.h"

namespace csp::manifest {

// Builds nlohmann::json values from events, iteratively (an explicit stack of open containers,
// so no input can exhaust the C++ stack), and hands over each document at its end.
class YamlDocumentBuilder {
 public:
  YamlDocumentBuilder(std::string_view file, const Limits& limits, const DocumentSink& on_document,
                      const ErrorSink& on_error)
      : file_(file), limits_(limits), on_document_(on_document), on_error_(on_error) {}

  // Added to every reported line: the line where the parsed text starts in the file, minus 1.
  // Change it only between documents.
  void set_line_offset(int line_offset) { line_offset_ = line_offset; }
  int line_offset() const { return line_offset_; }

  // False when the stream must stop: nesting beyond max_depth (libyaml's scanner slows down
  // quadratically with flow nesting, so such input is not read further, not even skipped; the
  // stream reader resumes at the next separator line).
  bool OnEvent(const YamlEvent& event);

  // The error reported for nesting beyond max_depth.
  static std::string TooDeepMessage(std::size_t max_depth);

 private:
  using json = nlohmann::json;

  // An anchored node, for its aliases. A container is referenced, not copied: nlohmann keeps an
  // object's or array's contents on the heap, and moving the json that owns them (into its
  // parent, or when a parent array grows) leaves them where they are. Completed containers are
  // never modified, and merge values are kept alive until the document ends (`retained_`), so
  // the pointers stay valid until the document is handed over.
  struct Anchor {
    json scalar = {};
    const json::object_t* object = nullptr;
    const json::array_t* array = nullptr;
    std::size_t nodes = 1;   // nodes an alias expands to
    std::size_t bytes = 0;   // scalar bytes an alias expands to
    std::size_t height = 0;  // container levels it adds below the alias
  };

  // A mapping or sequence being filled.
  struct Frame {
    json value = {};
    json* slot = nullptr;  // mapping: where the pending key's value goes
    bool is_mapping = false;
    bool expect_key = true;         // mapping: the next node is a key
    bool merge_pending = false;     // mapping: the pending key is `<<`
    bool items_pending = false;     // root mapping: the pending key is `items`
    bool records_items = false;     // the root's `items` sequence: record element lines
    bool services_pending = false;  // root mapping: the pending key is `services`
    bool records_keys = false;      // the root's `services` mapping: record key lines
    int line = 0;
    std::size_t nodes_before = 0;
    std::size_t bytes_before = 0;
    std::size_t height = 1;
    std::string anchor = {};
    std::vector<json> merges = {};
  };

  int Line(const YamlEvent& event) const { return static_cast<int>(event.line) + 1 + line_offset_; }
  void StartDocument(const YamlEvent& event);
  void EndDocument();
  void OnScalar(const YamlEvent& event);
  void OnAlias(const YamlEvent& event);
  void OnStart(const YamlEvent& event, bool is_mapping);
  void OnEnd();
  bool InKeyPosition() const {
    return !frames_.empty() && frames_.back().is_mapping && frames_.back().expect_key;
  }
  void SetKey(std::string&& key, bool is_merge, int line);
  void Attach(json&& value, int line, std::size_t height);
  bool ApplyMerges(Frame& frame);
  bool Count(std::size_t nodes, std::size_t bytes, int line);
  void Fail(int line, std::string message);

  std::string_view file_;
  const Limits& limits_;
  const DocumentSink& on_document_;
  const ErrorSink& on_error_;
  int line_offset_ = 0;

  // Per document.
  bool failed_ = false;
  std::size_t raw_depth_ = 0;  // open containers, counted even while skipping a failed document
  std::size_t start_index_ = 0;
  int line_ = 0;
  std::size_t nodes_ = 0;
  std::size_t bytes_ = 0;
  json root_ = {};
  std::vector<int> item_lines_ = {};
  std::vector<std::pair<std::string, int>> key_lines_ = {};
  std::vector<Frame> frames_ = {};
  std::map<std::string, Anchor, std::less<>> anchors_ = {};
  std::vector<json> retained_ = {};  // merge values, kept for the anchors that point into them
};

}  // namespace csp::manifest
