#include "csp/fix/yaml_source.h"

#include <yaml.h>

#include <algorithm>

namespace csp::fix {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~Parser() { yaml_parser_delete(&parser_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_;
};

class Event {
 public:
  Event() = default;
  ~Event() { yaml_event_delete(&event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  yaml_event_t* get() { return &event_; }

 private:
  yaml_event_t event_{};
};

SourceNode::Style ScalarStyle(yaml_scalar_style_t style) {
  switch (style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
      return SourceNode::Style::kSingleQuoted;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
      return SourceNode::Style::kDoubleQuoted;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE:
      return SourceNode::Style::kBlockScalar;
    default:
      return SourceNode::Style::kPlain;
  }
}

void Begin(SourceNode& node, const yaml_event_t& e) {
  node.start = e.start_mark.index;
  node.end = e.end_mark.index;
  node.line = e.start_mark.line;
  node.column = e.start_mark.column;
}

}  // namespace

const SourceNode* SourceNode::Find(std::string_view key) const {
  if (type != Type::kMapping) return nullptr;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].type == Type::kScalar && keys[i].value == key) return &children[i];
  }
  return nullptr;
}

std::size_t SourceNode::ContentEnd() const {
  if (type == Type::kScalar || type == Type::kAlias || style == Style::kFlow) return end;
  std::size_t out = start;
  for (const SourceNode& k : keys) out = std::max(out, k.ContentEnd());
  for (const SourceNode& c : children) out = std::max(out, c.ContentEnd());
  return out;
}

bool SourceNode::SharesNodes() const {
  if (anchored || type == Type::kAlias) return true;
  return std::any_of(keys.begin(), keys.end(),
                     [](const SourceNode& n) { return n.SharesNodes(); }) ||
         std::any_of(children.begin(), children.end(),
                     [](const SourceNode& n) { return n.SharesNodes(); });
}

Result<std::vector<SourceNode>> ParseSource(std::string_view text) {
  Parser parser(text);
  std::vector<SourceNode> documents;
  // The open collections; a mapping alternates between expecting a key and a value.
  std::vector<SourceNode*> open;
  std::vector<bool> expect_key;
  // Adds a completed or opened node where it belongs; returns its address.
  auto place = [&](SourceNode node) -> SourceNode* {
    if (open.empty()) {
      documents.push_back(std::move(node));
      return &documents.back();
    }
    SourceNode& parent = *open.back();
    if (parent.type == SourceNode::Type::kSequence) {
      parent.children.push_back(std::move(node));
      return &parent.children.back();
    }
    if (expect_key.back()) {
      expect_key.back() = false;
      parent.keys.push_back(std::move(node));
      return &parent.keys.back();
    }
    expect_key.back() = true;
    parent.children.push_back(std::move(node));
    return &parent.children.back();
  };
  for (;;) {
    Event event;
    if (!yaml_parser_parse(parser.get(), event.get())) {
      return InvalidArgument("line " + std::to_string(parser.get()->problem_mark.line + 1) + ": " +
                             (parser.get()->problem ? parser.get()->problem : "invalid YAML"));
    }
    const yaml_event_t& e = *event.get();
    if (e.type == YAML_STREAM_END_EVENT) break;
    SourceNode node;
    Begin(node, e);
    switch (e.type) {
      case YAML_SCALAR_EVENT:
        node.style = ScalarStyle(e.data.scalar.style);
        node.anchored = e.data.scalar.anchor != nullptr;
        node.value.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        place(std::move(node));
        break;
      case YAML_ALIAS_EVENT:
        node.type = SourceNode::Type::kAlias;
        place(std::move(node));
        break;
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        const bool seq = e.type == YAML_SEQUENCE_START_EVENT;
        node.type = seq ? SourceNode::Type::kSequence : SourceNode::Type::kMapping;
        const bool flow = seq ? e.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                              : e.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
        node.style = flow ? SourceNode::Style::kFlow : SourceNode::Style::kBlock;
        node.anchored =
            (seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor) != nullptr;
        SourceNode* placed = place(std::move(node));
        open.push_back(placed);
        expect_key.push_back(true);
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        // The pointers in `open` stay valid: a vector of children grows only while its owner
        // is the innermost open node, so no open node's own vector ever moves.
        open.back()->end = e.end_mark.index;
        open.pop_back();
        expect_key.pop_back();
        break;
      default:
        break;
    }
  }
  return documents;
}

}  // namespace csp::fix
