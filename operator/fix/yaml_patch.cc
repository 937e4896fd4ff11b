#include "csp/fix/yaml_patch.h"

#include <algorithm>
#include <vector>

#include "csp/fix/yaml_source.h"
#include "csp/manifest/manifest_reader.h"

namespace csp::fix {
namespace {

using json = nlohmann::json;

Error FailedPrecondition(std::string message) {
  return {Code::kFailedPrecondition, std::move(message)};
}

// One operation as placed: `add`/`replace` values may be nested blocks gathered from the adds
// below an added {} (a parent, then its members).
struct Edit {
  std::string op;
  std::string path;
  std::vector<std::string> tokens;
  json value;
};

// The reference tokens of a JSON Pointer, unescaped (RFC 6901).
std::vector<std::string> Tokens(const std::string& pointer) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '/') {
      out.emplace_back();
    } else if (pointer[i] == '~' && i + 1 < pointer.size()) {
      out.back() += pointer[++i] == '1' ? '/' : '~';
    } else if (!out.empty()) {
      out.back() += pointer[i];
    }
  }
  return out;
}

bool HasPrefix(const std::string& path, const std::string& prefix) {
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         path[prefix.size()] == '/';
}

// Folds `add P {}` (or `replace P {}`) and the adds below P into one edit with a nested value.
std::vector<Edit> Gather(const json& patch) {
  std::vector<Edit> out;
  for (std::size_t i = 0; i < patch.size(); ++i) {
    const json& op = patch[i];
    Edit e{
        .op = op.at("op"), .path = op.at("path"), .tokens = {}, .value = op.value("value", json())};
    if ((e.op == "add" || e.op == "replace") && e.value == json::object()) {
      while (i + 1 < patch.size() && patch[i + 1].at("op") == "add" &&
             HasPrefix(patch[i + 1].at("path"), e.path)) {
        const std::string rest = patch[i + 1].at("path").get<std::string>().substr(e.path.size());
        const json& v = patch[i + 1].at("value");
        if (rest.size() >= 2 && rest.substr(rest.size() - 2) == "/-") {
          e.value[json::json_pointer(rest.substr(0, rest.size() - 2))].push_back(v);
        } else {
          e.value[json::json_pointer(rest)] = v;
        }
        ++i;
      }
    }
    e.tokens = Tokens(e.path);
    out.push_back(std::move(e));
  }
  return out;
}

bool IsPlainSafe(const std::string& s) {
  if (s.empty()) return false;
  static const char* kWords[] = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"};
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  for (const char* w : kWords) {
    if (lower == w) return false;
  }
  if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '.' || s[0] == '+') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '.' || c == '_' || c == '-';
  });
}

// A scalar in the quoting style of the one it replaces, or plain when plain reads back the same.
std::string Scalar(const json& v, SourceNode::Style style = SourceNode::Style::kPlain) {
  if (!v.is_string()) return v.dump();
  const std::string& s = v.get_ref<const std::string&>();
  if (style == SourceNode::Style::kSingleQuoted) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  }
  if (style == SourceNode::Style::kDoubleQuoted || !IsPlainSafe(s)) return v.dump();
  return s;
}

// `value` in flow style, for a flow collection: {a: 1, b: [x]}.
std::string Flow(const json& value) {
  if (value.is_object()) {
    std::string out;
    for (auto it = value.begin(); it != value.end(); ++it) {
      out += (out.empty() ? "" : ", ") + Scalar(it.key()) + ": " + Flow(*it);
    }
    return "{" + out + "}";
  }
  if (value.is_array()) {
    std::string out;
    for (const json& item : value) out += (out.empty() ? "" : ", ") + Flow(item);
    return "[" + out + "]";
  }
  return Scalar(value);
}

// `value` as block-style lines at `indent`, each ending in a newline.
std::string Block(const json& value, std::size_t indent) {
  const std::string pad(indent, ' ');
  std::string out;
  auto nested = [&](const json& v) {
    if (v.is_object() || v.is_array()) {
      return v.empty() ? std::string(v.is_object() ? " {}\n" : " []\n")
                       : "\n" + Block(v, indent + 2);
    }
    return " " + Scalar(v) + "\n";
  };
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      out += pad + Scalar(it.key()) + ":" + nested(*it);
    }
  } else {
    for (const json& item : value) out += pad + "-" + nested(item);
  }
  return out;
}

// A key and its value as lines at `indent`.
std::string Entry(const std::string& key, const json& value, std::size_t indent) {
  json one = json::object();
  one[key] = value;
  return Block(one, indent);
}

std::size_t LineStart(std::string_view text, std::size_t pos) {
  std::size_t nl = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  return pos == 0 || nl == std::string_view::npos ? 0 : nl + 1;
}

// Where a line inserted after content ending at `pos` goes: after that line's newline.
std::size_t AfterLine(std::string_view text, std::size_t pos) {
  if (pos > 0 && text[pos - 1] == '\n') return pos;
  std::size_t nl = text.find('\n', pos);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

bool OnlySpacesBefore(std::string_view text, std::size_t pos) {
  const std::size_t start = LineStart(text, pos);
  return std::all_of(text.begin() + start, text.begin() + pos, [](char c) { return c == ' '; });
}

// A node reached by a path, with the chain that led to it.
struct Step {
  const SourceNode* node = nullptr;  // the parent collection
  std::size_t index = 0;             // of the key or item in it
};

class Placer {
 public:
  Placer(std::string& text, const SourceNode& root) : text_(text), root_(root) {}

  Status Apply(const Edit& e) {
    std::vector<Step> chain;
    const SourceNode* node = &root_;
    // Walk to the parent of the last token.
    for (std::size_t i = 0; i + 1 < e.tokens.size(); ++i) {
      auto next = Child(*node, e.tokens[i]);
      if (!next) return Refuse(e, "a parent is missing or not a collection");
      chain.push_back({node, *next});
      node = &node->children[*next];  // a mapping's values parallel its keys
    }
    const SourceNode& parent = *node;
    const std::string& last = e.tokens.back();
    if (parent.type == SourceNode::Type::kAlias || parent.type == SourceNode::Type::kScalar) {
      return Refuse(e, "the parent is not a collection");
    }
    std::optional<std::size_t> at = last == "-" ? std::nullopt : Child(parent, last);
    if (e.op == "remove") {
      if (!at) return Refuse(e, "nothing to remove there");
      return Remove(e, parent, *at, chain);
    }
    if (at) return Replace(e, parent, *at);
    if (parent.type == SourceNode::Type::kSequence) {
      if (last != "-") return Refuse(e, "an index past the end");
      return Append(e, parent);
    }
    return AddMember(e, parent, last, chain);
  }

 private:
  static std::optional<std::size_t> Child(const SourceNode& n, const std::string& token) {
    if (n.type == SourceNode::Type::kMapping) {
      for (std::size_t i = 0; i < n.keys.size(); ++i) {
        if (n.keys[i].type == SourceNode::Type::kScalar && n.keys[i].value == token) return i;
      }
      return std::nullopt;
    }
    if (n.type == SourceNode::Type::kSequence && !token.empty() &&
        std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      std::size_t i = std::stoul(token);
      if (i < n.children.size()) return i;
    }
    return std::nullopt;
  }

  Status Refuse(const Edit& e, const std::string& why) {
    return FailedPrecondition(e.op + " " + e.path + ": " + why);
  }

  void Splice(std::size_t from, std::size_t to, const std::string& with) {
    text_.replace(from, to - from, with);
  }

  // The key column of a block mapping's entries (its first key's).
  static std::size_t KeyIndent(const SourceNode& mapping) { return mapping.keys.front().column; }

  Status Replace(const Edit& e, const SourceNode& parent, std::size_t at) {
    const SourceNode& old = parent.children[at];
    if (old.type == SourceNode::Type::kScalar && old.style == SourceNode::Style::kBlockScalar) {
      return Refuse(e, "a block scalar");
    }
    if (!e.value.is_object() && !e.value.is_array()) {
      if (old.type != SourceNode::Type::kScalar)
        return Refuse(e, "a collection replaced by a scalar");
      Splice(old.start, old.end, Scalar(e.value, old.style));
      return {};
    }
    // A collection where a null, an empty scalar or an empty flow collection is: the value goes
    // on the lines below its key.
    if (parent.style == SourceNode::Style::kFlow && old.type == SourceNode::Type::kScalar) {
      Splice(old.start, old.end, Flow(e.value));
      return {};
    }
    const bool empty =
        old.type == SourceNode::Type::kScalar ||
        (old.style == SourceNode::Style::kFlow && old.children.empty() && old.keys.empty());
    if (!empty || parent.type != SourceNode::Type::kMapping ||
        parent.style != SourceNode::Style::kBlock) {
      return Refuse(e, "a collection replaced in place");
    }
    const std::size_t insert = AfterLine(text_, old.end);
    const std::string block = e.value.empty() ? "" : Block(e.value, KeyIndent(parent) + 2);
    std::string inline_text = e.value.empty() ? (e.value.is_object() ? "{}" : "[]") : "";
    // Insert first (it lies after the scalar), then replace the scalar.
    text_.insert(insert, block);
    std::size_t from = old.start;
    if (inline_text.empty()) {
      while (from > 0 && text_[from - 1] == ' ') --from;  // no trailing blank after the key
    }
    Splice(from, old.end, inline_text);
    return {};
  }

  Status AddMember(const Edit& e, const SourceNode& parent, const std::string& key,
                   const std::vector<Step>& chain) {
    if (parent.style == SourceNode::Style::kFlow) {
      const bool under_block_key = !chain.empty() &&
                                   chain.back().node->type == SourceNode::Type::kMapping &&
                                   chain.back().node->style == SourceNode::Style::kBlock;
      if (!parent.keys.empty() || !under_block_key) {
        // A member of a flow mapping goes in flow style before its `}`.
        const std::size_t close = parent.end - 1;
        if (text_[close] != '}') return Refuse(e, "an unexpected flow mapping end");
        text_.insert(close, (parent.keys.empty() ? "" : ", ") + Scalar(key) + ": " + Flow(e.value));
        return {};
      }
      // `{}` under a block key becomes a block.
      const Step& up = chain.back();
      json one = json::object();
      one[key] = e.value;
      const std::size_t insert = AfterLine(text_, parent.end);
      text_.insert(insert, Block(one, KeyIndent(*up.node) + 2));
      std::size_t from = parent.start;
      while (from > 0 && text_[from - 1] == ' ') --from;
      Splice(from, parent.end, "");
      return {};
    }
    const std::size_t insert = AfterLine(text_, parent.ContentEnd());
    text_.insert(insert, Entry(key, e.value, KeyIndent(parent)));
    return {};
  }

  Status Append(const Edit& e, const SourceNode& seq) {
    if (seq.style == SourceNode::Style::kFlow) {
      std::size_t close = seq.end - 1;
      if (text_[close] != ']') return Refuse(e, "an unexpected flow sequence end");
      text_.insert(close, (seq.children.empty() ? "" : ", ") + Flow(e.value));
      return {};
    }
    const std::size_t insert = AfterLine(text_, seq.ContentEnd());
    text_.insert(insert, Block(json::array({e.value}), seq.column));
    return {};
  }

  Status Remove(const Edit& e, const SourceNode& parent, std::size_t at,
                const std::vector<Step>& chain) {
    if (parent.type == SourceNode::Type::kSequence) {
      const SourceNode& item = parent.children[at];
      if (parent.children.size() == 1) return Refuse(e, "the only element of a sequence");
      if (parent.style == SourceNode::Style::kFlow) {
        if (at + 1 < parent.children.size()) {
          Splice(item.start, parent.children[at + 1].start, "");
        } else {
          Splice(parent.children[at - 1].ContentEnd(), item.ContentEnd(), "");
        }
        return {};
      }
      const std::size_t dash = text_.rfind('-', item.start);
      if (dash == std::string::npos || LineStart(text_, dash) != LineStart(text_, item.start) ||
          !OnlySpacesBefore(text_, dash)) {
        return Refuse(e, "an element that does not start its line");
      }
      Splice(LineStart(text_, dash), AfterLine(text_, item.ContentEnd()), "");
      return {};
    }
    if (parent.style == SourceNode::Style::kFlow) {
      const SourceNode& value = parent.children[at];
      if (parent.keys.size() == 1) {
        Splice(parent.keys[at].start, value.ContentEnd(), "");
      } else if (at + 1 < parent.keys.size()) {
        Splice(parent.keys[at].start, parent.keys[at + 1].start, "");
      } else {
        Splice(parent.children[at - 1].ContentEnd(), value.ContentEnd(), "");
      }
      return {};
    }
    const SourceNode& key = parent.keys[at];
    if (!OnlySpacesBefore(text_, key.start))
      return Refuse(e, "an entry that does not start its line");
    const std::size_t from = LineStart(text_, key.start);
    const std::size_t to = AfterLine(text_, std::max(key.end, parent.children[at].ContentEnd()));
    if (parent.keys.size() > 1) {
      Splice(from, to, "");
      return {};
    }
    // The only entry: the mapping becomes {} after its own key.
    if (chain.empty() || chain.back().node->type != SourceNode::Type::kMapping) {
      return Refuse(e, "the only entry of a mapping that is not under a key");
    }
    const SourceNode& owner_key = chain.back().node->keys[chain.back().index];
    const std::size_t colon = text_.find(':', owner_key.end);
    if (colon == std::string::npos || colon >= from) return Refuse(e, "no `:` after the key");
    Splice(from, to, "");
    text_.insert(colon + 1, " {}");
    return {};
  }

  std::string& text_;
  const SourceNode& root_;
};

Result<const SourceNode*> Locate(const std::vector<SourceNode>& docs, const WorkloadPlace& place) {
  if (place.document >= docs.size()) return FailedPrecondition("no such document");
  const SourceNode* node = &docs[place.document];
  if (place.item) {
    const SourceNode* items = node->Find("items");
    if (items == nullptr || items->type != SourceNode::Type::kSequence ||
        *place.item >= items->children.size()) {
      return FailedPrecondition("no such list item");
    }
    node = &items->children[*place.item];
  }
  if (node->type != SourceNode::Type::kMapping) return FailedPrecondition("not a mapping");
  return node;
}

// Every document of `text` as JSON (null for an empty one); false on any read error.
bool ReadBack(std::string_view text, std::vector<json>& out) {
  bool ok = true;
  manifest::ParseManifests(
      text, "-", manifest::Limits{.threads = 1},
      [&](manifest::Document&& d) { out.push_back(std::move(d.value)); },
      [&](manifest::ReadError&&) { ok = false; });
  return ok;
}

}  // namespace

Result<std::string> PatchYaml(std::string_view text, const WorkloadPlace& place,
                              const json& patch) {
  if (manifest::LooksLikeJson(text)) {
    return FailedPrecondition("a JSON file: only YAML files are edited in place");
  }
  std::vector<json> before;
  if (!ReadBack(text, before)) return FailedPrecondition("the file does not read cleanly");
  std::vector<json> want = before;
  if (place.document >= want.size()) return FailedPrecondition("no such document");
  json& doc = want[place.document];
  json& target = place.item ? doc["items"][*place.item] : doc;
  try {
    target = target.patch(patch);
  } catch (const json::exception& e) {
    return FailedPrecondition(std::string("the patch does not apply: ") + e.what());
  }
  std::string out(text);
  for (const Edit& e : Gather(patch)) {
    CSP_TRY(std::vector<SourceNode> docs, ParseSource(out));
    CSP_TRY(const SourceNode* root, Locate(docs, place));
    if (root->SharesNodes()) return FailedPrecondition("the object uses anchors or aliases");
    if (e.tokens.empty()) return FailedPrecondition("a patch of the whole object");
    Placer placer(out, *root);
    if (Status s = placer.Apply(e); !s) return s.error();
  }
  std::vector<json> after;
  if (!ReadBack(out, after) || after != want) {
    return FailedPrecondition("the edited text would not read back as the patched object");
  }
  return out;
}

}  // namespace csp::fix
