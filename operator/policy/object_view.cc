#include "csp/policy/object_view.h"

#include <algorithm>
#include <charconv>

namespace csp::policy {
namespace {

using json = nlohmann::json;

const json* Of(ObjectView::Node node) { return reinterpret_cast<const json*>(node); }
ObjectView::Node Handle(const json* node) { return reinterpret_cast<ObjectView::Node>(node); }

}  // namespace

bool IsArrayIndex(std::string_view token) {
  return !token.empty() &&
         std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

ObjectView::Node JsonObjectView::At(std::string_view pointer) const {
  if (object_ == nullptr) return kAbsent;
  const json::json_pointer p{std::string(pointer)};
  return object_->contains(p) ? Handle(&object_->at(p)) : kAbsent;
}

ObjectView::Node JsonObjectView::Child(Node node, const std::string& token) const {
  const json* n = Of(node);
  if (n == nullptr) return kAbsent;
  if (n->is_object()) {
    auto it = n->find(token);
    return it == n->end() ? kAbsent : Handle(&*it);
  }
  if (n->is_array() && IsArrayIndex(token)) {
    std::size_t i = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), i);
    if (ec != std::errc() || end != token.data() + token.size()) return kAbsent;  // too large
    return i < n->size() ? Handle(&(*n)[i]) : kAbsent;
  }
  return kAbsent;
}

bool JsonObjectView::IsNull(Node node) const { return node != kAbsent && Of(node)->is_null(); }

bool JsonObjectView::IsArray(Node node) const { return node != kAbsent && Of(node)->is_array(); }

std::optional<bool> JsonObjectView::Equals(Node node, const json& value) const {
  return node != kAbsent && *Of(node) == value;
}

}  // namespace csp::policy
