#include "csp/manifest/tape_object_view.h"

#include <charconv>

namespace csp::manifest {
namespace {

using Kind = TapeWorkloadReader::Kind;
constexpr policy::ObjectView::Node kRoot = 1;  // the root mapping, after DOCUMENT-START

// One reference token of a JSON Pointer, unescaped (RFC 6901: "~1" is '/', "~0" is '~').
std::string Unescape(std::string_view token) {
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

}  // namespace

policy::ObjectView::Node TapeObjectView::At(std::string_view pointer) const {
  Node node = kRoot;
  while (!pointer.empty() && node != kAbsent) {
    if (pointer.front() != '/') return kAbsent;
    pointer.remove_prefix(1);
    const std::size_t slash = pointer.find('/');
    node = Child(node, Unescape(pointer.substr(0, slash)));
    pointer = slash == std::string_view::npos ? std::string_view() : pointer.substr(slash);
  }
  return node;
}

policy::ObjectView::Node TapeObjectView::Child(Node node, const std::string& token) const {
  if (node == kAbsent) return kAbsent;
  const Node end = nodes_[node].end;
  if (Type(node) == YamlEventType::kMappingStart) {
    for (Node key = node + 1; key < end; key = Next(key + 1)) {
      if (Text(key) == token) return key + 1;
    }
    return kAbsent;
  }
  if (Type(node) != YamlEventType::kSequenceStart || !policy::IsArrayIndex(token)) return kAbsent;
  std::size_t index = 0;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
  if (ec != std::errc() || ptr != token.data() + token.size()) return kAbsent;  // too large
  for (Node element = node + 1; element < end; element = Next(element)) {
    if (index-- == 0) return element;
  }
  return kAbsent;
}

bool TapeObjectView::IsNull(Node node) const {
  return node != kAbsent && Type(node) == YamlEventType::kScalar &&
         nodes_[node].kind == Kind::kNull;
}

bool TapeObjectView::IsArray(Node node) const {
  return node != kAbsent && Type(node) == YamlEventType::kSequenceStart;
}

std::optional<bool> TapeObjectView::Equals(Node node, const nlohmann::json& value) const {
  if (node == kAbsent) return false;
  if (Type(node) != YamlEventType::kScalar) {
    // A container equals only a container, and comparing two is not worth doing here.
    if (value.is_object() || value.is_array()) return std::nullopt;
    return false;
  }
  const TapeWorkloadReader::Node& n = nodes_[node];
  switch (n.kind) {
    case Kind::kNull:
      return value.is_null();
    case Kind::kBool:
      return nlohmann::json(n.boolean) == value;
    case Kind::kInt:
      return nlohmann::json(n.integer) == value;  // json's number comparison, floats included
    case Kind::kString:
      return value.is_string() && value.get_ref<const std::string&>() == Text(node);
    case Kind::kContainer:
    case Kind::kOther:
      break;
  }
  return std::nullopt;
}

}  // namespace csp::manifest
