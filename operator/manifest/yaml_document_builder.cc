#include "csp/manifest/yaml_document_builder.h"

#include <algorithm>
#include <utility>

#include "csp/manifest/scalar.h"

namespace csp::manifest {

std::string YamlDocumentBuilder::TooDeepMessage(std::size_t max_depth) {
  return "nesting deeper than " + std::to_string(max_depth) + " levels";
}

bool YamlDocumentBuilder::OnEvent(const YamlEvent& event) {
  switch (event.type) {
    case YamlEventType::kDocumentStart:
      StartDocument(event);
      return true;
    case YamlEventType::kDocumentEnd:
      EndDocument();
      return true;
    case YamlEventType::kStreamStart:
    case YamlEventType::kStreamEnd:
    case YamlEventType::kNone:
      return true;
    case YamlEventType::kSequenceStart:
    case YamlEventType::kMappingStart:
      if (++raw_depth_ > limits_.max_depth) {
        Fail(Line(event), TooDeepMessage(limits_.max_depth));
        return false;
      }
      break;
    case YamlEventType::kSequenceEnd:
    case YamlEventType::kMappingEnd:
      if (raw_depth_ > 0) --raw_depth_;
      break;
    default:
      break;
  }
  if (failed_) return true;
  if (event.index - start_index_ > limits_.max_document_bytes) {
    Fail(Line(event),
         "document is larger than " + std::to_string(limits_.max_document_bytes) + " bytes");
    return true;
  }
  switch (event.type) {
    case YamlEventType::kScalar:
      OnScalar(event);
      break;
    case YamlEventType::kAlias:
      OnAlias(event);
      break;
    case YamlEventType::kSequenceStart:
      OnStart(event, false);
      break;
    case YamlEventType::kMappingStart:
      OnStart(event, true);
      break;
    case YamlEventType::kSequenceEnd:
    case YamlEventType::kMappingEnd:
      OnEnd();
      break;
    default:
      break;
  }
  return true;
}

void YamlDocumentBuilder::StartDocument(const YamlEvent& event) {
  failed_ = false;
  raw_depth_ = 0;
  start_index_ = event.index;
  line_ = Line(event);
  nodes_ = 0;
  bytes_ = 0;
  root_ = nullptr;
  item_lines_.clear();
  key_lines_.clear();
  frames_.clear();
  anchors_.clear();
  retained_.clear();
}

void YamlDocumentBuilder::EndDocument() {
  // The anchors point into the tree that is about to be handed over.
  anchors_.clear();
  retained_.clear();
  if (failed_) return;
  on_document_(Document{.file = file_,
                        .line = line_,
                        .value = std::move(root_),
                        .item_lines = std::move(item_lines_),
                        .key_lines = std::move(key_lines_)});
  root_ = nullptr;
  item_lines_.clear();
  key_lines_.clear();
}

void YamlDocumentBuilder::Fail(int line, std::string message) {
  failed_ = true;
  frames_.clear();
  anchors_.clear();
  retained_.clear();
  root_ = nullptr;
  on_error_(ReadError{.file = std::string(file_), .line = line, .message = std::move(message)});
}

bool YamlDocumentBuilder::Count(std::size_t nodes, std::size_t bytes, int line) {
  nodes_ += nodes;
  bytes_ += bytes;
  if (nodes_ > limits_.max_nodes_per_document) {
    Fail(line, "document expands to more than " + std::to_string(limits_.max_nodes_per_document) +
                   " nodes (aliases included)");
    return false;
  }
  if (bytes_ > limits_.max_document_bytes) {
    Fail(line, "document expands to more than " + std::to_string(limits_.max_document_bytes) +
                   " bytes of scalars (aliases included)");
    return false;
  }
  return true;
}

void YamlDocumentBuilder::OnScalar(const YamlEvent& event) {
  const int line = Line(event);
  const std::string_view text = event.value;
  if (text.size() > limits_.max_scalar_bytes) {
    Fail(line, "scalar of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                   std::to_string(limits_.max_scalar_bytes) + " bytes");
    return;
  }
  const ScalarStyle style = event.plain ? ScalarStyle::kPlain : ScalarStyle::kQuoted;
  if (!Count(1, text.size(), line)) return;

  if (InKeyPosition()) {
    std::string key;
    bool is_merge = false;
    if (Status status = ResolveKey(text, style, event.tag, key, is_merge); !status) {
      Fail(line, status.error().message);
      return;
    }
    if (!event.anchor.empty()) {
      json value;
      if (ResolveScalar(text, style, event.tag, value)) {
        anchors_.insert_or_assign(std::string(event.anchor),
                                  Anchor{.scalar = std::move(value), .bytes = text.size()});
      }
    }
    SetKey(std::move(key), is_merge, line);
    return;
  }

  json value;
  if (Status status = ResolveScalar(text, style, event.tag, value); !status) {
    Fail(line, status.error().message);
    return;
  }
  if (!event.anchor.empty()) {
    anchors_.insert_or_assign(std::string(event.anchor),
                              Anchor{.scalar = value, .bytes = text.size()});
  }
  Attach(std::move(value), line, 0);
}

void YamlDocumentBuilder::OnAlias(const YamlEvent& event) {
  const int line = Line(event);
  const std::string name(event.anchor);
  const auto found = anchors_.find(event.anchor);
  if (found == anchors_.end()) {
    Fail(line, "unknown anchor \"" + name + "\" referenced");
    return;
  }
  const Anchor& anchor = found->second;
  if (frames_.size() + anchor.height > limits_.max_depth) {
    Fail(line, "alias *" + name + " would nest deeper than " + std::to_string(limits_.max_depth) +
                   " levels");
    return;
  }
  if (!Count(anchor.nodes, anchor.bytes, line)) return;
  if (InKeyPosition()) {
    std::string key;
    if (anchor.object != nullptr || anchor.array != nullptr) {
      Fail(line, "alias *" + name + " is a mapping or sequence, which cannot be a mapping key");
      return;
    }
    if (Status status = KeyFromValue(anchor.scalar, key); !status) {
      Fail(line, status.error().message);
      return;
    }
    SetKey(std::move(key), false, line);
    return;
  }
  json copy;
  if (anchor.object != nullptr) {
    copy = json::object();
    copy.get_ref<json::object_t&>() = *anchor.object;
  } else if (anchor.array != nullptr) {
    copy = json::array();
    copy.get_ref<json::array_t&>() = *anchor.array;
  } else {
    copy = anchor.scalar;
  }
  Attach(std::move(copy), line, anchor.height);
}

void YamlDocumentBuilder::OnStart(const YamlEvent& event, bool is_mapping) {
  const int line = Line(event);
  if (InKeyPosition()) {
    Fail(line, "a mapping or sequence cannot be a mapping key");
    return;
  }
  const std::size_t nodes_before = nodes_;
  const std::size_t bytes_before = bytes_;
  if (!Count(1, 0, line)) return;
  const bool records_items = !is_mapping && frames_.size() == 1 && frames_.back().items_pending;
  const bool records_keys = is_mapping && frames_.size() == 1 && frames_.back().services_pending;
  Frame& frame = frames_.emplace_back();
  frame.records_keys = records_keys;
  frame.value = is_mapping ? json(json::value_t::object) : json(json::value_t::array);
  frame.is_mapping = is_mapping;
  frame.records_items = records_items;
  frame.line = line;
  frame.nodes_before = nodes_before;
  frame.bytes_before = bytes_before;
  frame.anchor = event.anchor;
}

void YamlDocumentBuilder::OnEnd() {
  if (frames_.empty()) return;
  Frame& frame = frames_.back();
  if (frame.is_mapping && !frame.merges.empty() && !ApplyMerges(frame)) return;
  if (!frame.anchor.empty()) {
    Anchor anchor{.nodes = nodes_ - frame.nodes_before,
                  .bytes = bytes_ - frame.bytes_before,
                  .height = frame.height};
    if (frame.is_mapping) {
      anchor.object = frame.value.get_ptr<const json::object_t*>();
    } else {
      anchor.array = frame.value.get_ptr<const json::array_t*>();
    }
    anchors_.insert_or_assign(std::move(frame.anchor), std::move(anchor));
  }
  json value = std::move(frame.value);
  const int line = frame.line;
  const std::size_t height = frame.height;
  frames_.pop_back();
  Attach(std::move(value), line, height);
}

void YamlDocumentBuilder::SetKey(std::string&& key, bool is_merge, int line) {
  Frame& frame = frames_.back();
  frame.expect_key = false;
  frame.merge_pending = is_merge;
  if (is_merge) return;
  frame.items_pending = frames_.size() == 1 && key == "items";
  frame.services_pending = frames_.size() == 1 && key == "services";
  if (frame.records_keys) key_lines_.emplace_back(key, line);
  auto [it, inserted] = frame.value.get_ref<json::object_t&>().emplace(std::move(key), nullptr);
  if (!inserted) {
    Fail(line, "mapping key \"" + it->first + "\" already defined");
    return;
  }
  frame.slot = &it->second;
}

void YamlDocumentBuilder::Attach(json&& value, int line, std::size_t height) {
  if (frames_.empty()) {
    root_ = std::move(value);
    line_ = line;
    return;
  }
  Frame& frame = frames_.back();
  frame.height = std::max(frame.height, height + 1);
  if (!frame.is_mapping) {
    if (frame.records_items) item_lines_.push_back(line);
    frame.value.get_ref<json::array_t&>().push_back(std::move(value));
    return;
  }
  if (frame.merge_pending) {
    frame.merges.push_back(std::move(value));
  } else {
    *frame.slot = std::move(value);
  }
  frame.expect_key = true;
  frame.merge_pending = false;
  frame.items_pending = false;
  frame.services_pending = false;
}

bool YamlDocumentBuilder::ApplyMerges(Frame& frame) {
  auto& target = frame.value.get_ref<json::object_t&>();
  auto merge = [&](const json& source) {
    for (const auto& [key, value] : source.get_ref<const json::object_t&>()) {
      target.emplace(key, value);  // keys the mapping sets itself, or got earlier, win
    }
  };
  for (json& source : frame.merges) {
    if (source.is_object()) {
      merge(source);
    } else if (source.is_array() && std::all_of(source.begin(), source.end(),
                                                [](const json& j) { return j.is_object(); })) {
      for (const json& element : source) merge(element);
    } else {
      Fail(frame.line, "a merge key (<<) needs a mapping or a sequence of mappings as its value");
      return false;
    }
    retained_.push_back(std::move(source));
  }
  return true;
}

}  // namespace csp::manifest
