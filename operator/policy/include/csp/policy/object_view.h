// Read access to a workload object as written, for what a fix's patch depends on (ToJsonPatch,
// fix.h): which members and elements exist on the way to a field, whether one is null or an
// array, and whether a field already holds a value. The engine reads the JSON tree through
// JsonObjectView; `cspctl scan` reads YAML documents without building a tree, through a view of
// their indexed events (manifest/tape_object_view.h), so that judging a workload with a fix
// never needs the tree.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace csp::policy {

class ObjectView {
 public:
  // An opaque handle on one node; kAbsent for none.
  using Node = std::uintptr_t;
  static constexpr Node kAbsent = 0;

  virtual ~ObjectView() = default;

  // The node at a JSON Pointer (RFC 6901) from the root ("" is the root), kAbsent when some
  // part of it is missing.
  virtual Node At(std::string_view pointer) const = 0;
  // The member `token` of a mapping (a null member is present), or the element of a sequence at
  // the decimal index `token`; kAbsent when there is none or `node` is kAbsent or a scalar.
  virtual Node Child(Node node, const std::string& token) const = 0;
  virtual bool IsNull(Node node) const = 0;
  virtual bool IsArray(Node node) const = 0;
  // Whether the node is equal to `value` as nlohmann::json compares them; nullopt when the view
  // cannot tell (then the caller judges the workload's JSON tree instead).
  virtual std::optional<bool> Equals(Node node, const nlohmann::json& value) const = 0;
};

// The view of a JSON tree, which answers everything. `object` may be null: nothing is there.
class JsonObjectView final : public ObjectView {
 public:
  explicit JsonObjectView(const nlohmann::json* object) : object_(object) {}

  Node At(std::string_view pointer) const override;
  Node Child(Node node, const std::string& token) const override;
  bool IsNull(Node node) const override;
  bool IsArray(Node node) const override;
  std::optional<bool> Equals(Node node, const nlohmann::json& value) const override;

 private:
  const nlohmann::json* object_;
};

// Whether `token` is a decimal array index as RFC 6901 spells one (digits only).
bool IsArrayIndex(std::string_view token);

}  // namespace csp::policy
