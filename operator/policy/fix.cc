#include "csp/policy/fix.h"

#include <algorithm>

namespace csp::policy {
namespace {

using json = nlohmann::json;

std::string_view ListKey(ContainerType type) {
  switch (type) {
    case ContainerType::kInit:
      return "initContainers";
    case ContainerType::kRegular:
      return "containers";
    case ContainerType::kEphemeral:
      return "ephemeralContainers";
  }
  return "containers";
}

std::string Pointer(const std::string& base, const std::vector<std::string>& path,
                    std::size_t count) {
  std::string out = base;
  for (std::size_t i = 0; i < count; ++i) out += "/" + EscapePointerToken(path[i]);
  return out;
}

json Op(std::string_view op, std::string path) {
  return json{{"op", op}, {"path", std::move(path)}};
}

json Op(std::string_view op, std::string path, json value) {
  return json{{"op", op}, {"path", std::move(path)}, {"value", std::move(value)}};
}

}  // namespace

std::vector<std::string> ContainerPath(const PodSpec& pod, const Container& c) {
  std::size_t index = 0;
  for (const Container& other : pod.containers) {
    if (&other == &c) break;
    if (other.type == c.type) ++index;
  }
  return {"spec", std::string(ListKey(c.type)), std::to_string(index)};
}

std::vector<std::string> SecurityContextPath(const PodSpec& pod, const Container* c) {
  if (c == nullptr) return {"spec", "securityContext"};
  return Join(ContainerPath(pod, *c), {"securityContext"});
}

std::vector<std::string> Join(std::vector<std::string> base,
                              std::initializer_list<std::string_view> more) {
  for (std::string_view m : more) base.emplace_back(m);
  return base;
}

std::vector<const Container*> NamedContainers(const PodSpec& pod,
                                              const std::vector<std::string>& names) {
  std::vector<const Container*> out;
  for (const Container& c : pod.containers) {
    if (std::find(names.begin(), names.end(), c.name) != names.end()) out.push_back(&c);
  }
  return out;
}

void SetRuntimeDefault(const std::vector<std::string>& sc_path, std::string_view field,
                       const std::optional<Profile>& current, std::vector<FixEdit>& edits) {
  edits.push_back({.kind = FixEdit::Kind::kSet,
                   .path = Join(sc_path, {field, "type"}),
                   .value = "RuntimeDefault"});
  if (current && current->localhost_profile) {
    edits.push_back(
        {.kind = FixEdit::Kind::kRemove, .path = Join(sc_path, {field, "localhostProfile"})});
  }
}

std::optional<std::string> TemplatePointer(std::string_view pod_spec_path) {
  if (pod_spec_path == "spec") return std::string();
  constexpr std::string_view kSuffix = ".spec";
  if (pod_spec_path.size() <= kSuffix.size() ||
      pod_spec_path.substr(pod_spec_path.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  std::string out;
  std::string_view rest = pod_spec_path.substr(0, pod_spec_path.size() - kSuffix.size());
  while (!rest.empty()) {
    std::size_t dot = rest.find('.');
    out += "/" + EscapePointerToken(rest.substr(0, dot));
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  }
  return out;
}

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

json ToJsonPatch(const json& workload, const std::string& template_pointer,
                 const std::vector<FixEdit>& edits) {
  return *ToJsonPatch(JsonObjectView(&workload), template_pointer, edits);  // a tree tells all
}

std::optional<json> ToJsonPatch(const ObjectView& workload, const std::string& template_pointer,
                                const std::vector<FixEdit>& edits) {
  using Node = ObjectView::Node;
  constexpr Node kAbsent = ObjectView::kAbsent;
  const Node tmpl = workload.At(template_pointer);
  json ops = json::array();
  // Element removals per array pointer, applied last from the highest index down.
  std::vector<std::pair<std::string, std::size_t>> element_removals;
  auto emit = [&](json op) {
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(std::move(op));
  };
  for (const FixEdit& edit : edits) {
    if (edit.path.empty()) continue;
    // The deepest existing node on the path, walking from the template.
    std::size_t depth = 0;
    Node node = tmpl;
    std::vector<Node> nodes = {tmpl};
    while (depth < edit.path.size()) {
      const Node next = workload.Child(node, edit.path[depth]);
      if (next == kAbsent || workload.IsNull(next)) break;
      node = next;
      nodes.push_back(next);
      ++depth;
    }
    const bool exists = depth == edit.path.size();
    switch (edit.kind) {
      case FixEdit::Kind::kRemove:
        if (!exists) break;
        if (workload.IsArray(nodes[depth - 1])) {
          element_removals.emplace_back(Pointer(template_pointer, edit.path, depth - 1),
                                        std::stoul(edit.path.back()));
        } else {
          emit(Op("remove", Pointer(template_pointer, edit.path, depth)));
        }
        break;
      case FixEdit::Kind::kSet:
      case FixEdit::Kind::kAppend: {
        if (exists && edit.kind == FixEdit::Kind::kAppend) {
          emit(Op("add", Pointer(template_pointer, edit.path, depth) + "/-", edit.value));
          break;
        }
        if (exists) {
          const std::optional<bool> same = workload.Equals(node, edit.value);
          if (!same) return std::nullopt;
          if (!*same) {
            emit(Op("replace", Pointer(template_pointer, edit.path, depth), edit.value));
          }
          break;
        }
        // A null member on the way is replaced; missing ones are added, one level at a time.
        std::size_t level = depth;
        const bool stop = workload.Child(node, edit.path[level]) != kAbsent;  // a null member
        for (; level + 1 < edit.path.size(); ++level) {
          const bool is_null = level == depth && stop;
          emit(Op(is_null ? "replace" : "add", Pointer(template_pointer, edit.path, level + 1),
                  json::object()));
        }
        json value = edit.kind == FixEdit::Kind::kAppend ? json::array({edit.value}) : edit.value;
        const bool leaf_null = level == depth && stop;
        emit(Op(leaf_null ? "replace" : "add", Pointer(template_pointer, edit.path, level + 1),
                std::move(value)));
        break;
      }
    }
  }
  std::sort(element_removals.begin(), element_removals.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  });
  element_removals.erase(std::unique(element_removals.begin(), element_removals.end()),
                         element_removals.end());
  for (const auto& [array, index] : element_removals) {
    emit(Op("remove", array + "/" + std::to_string(index)));
  }
  return ops;
}

}  // namespace csp::policy
