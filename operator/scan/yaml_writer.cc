#include "csp/scan/yaml_writer.h"

#include <cctype>
#include <string_view>

namespace csp::scan {
namespace {

using json = nlohmann::json;

// Plain (unquoted) only for strings no YAML 1.1 or 1.2 resolver turns into something else.
bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  static constexpr std::string_view kReserved[] = {
      "~",     "null", "Null", "NULL", "true", "True", "TRUE", "false", "False",
      "FALSE", "y",    "Y",    "yes",  "Yes",  "YES",  "n",    "N",     "no",
      "No",    "NO",   "on",   "On",   "ON",   "off",  "Off",  "OFF"};
  for (std::string_view r : kReserved) {
    if (s == r) return true;
  }
  unsigned char first = static_cast<unsigned char>(s.front());
  if (std::isdigit(first) || first == '-' || first == '+' || first == '.') return true;
  if (std::string_view("!&*[]{}|>'\"%@`#,?:<=").find(s.front()) != std::string_view::npos)
    return true;
  if (s.back() == ' ' || s.front() == ' ') return true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || c >= 0x80) return true;  // escapes; keep output ASCII
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return true;
    if (c == '#' && i > 0 && s[i - 1] == ' ') return true;
  }
  return false;
}

void WriteScalar(const json& v, std::ostream& out) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    // A JSON string literal is a valid YAML double-quoted scalar.
    if (NeedsQuotes(s)) {
      out << json(s).dump(-1, ' ', true);
    } else {
      out << s;
    }
  } else {
    out << v.dump();
  }
}

bool IsEmptyContainer(const json& v) { return (v.is_object() || v.is_array()) && v.empty(); }

void Write(const json& v, int indent, std::ostream& out);

void WriteValueAfterKey(const json& v, int indent, std::ostream& out) {
  if (IsEmptyContainer(v) || (!v.is_object() && !v.is_array())) {
    out << ' ';
    if (IsEmptyContainer(v)) {
      out << (v.is_object() ? "{}" : "[]");
    } else {
      WriteScalar(v, out);
    }
    out << '\n';
  } else if (v.is_object()) {
    out << '\n';
    Write(v, indent + 2, out);
  } else {
    out << '\n';
    Write(v, indent, out);  // sequences under a key stay at the key's indentation
  }
}

void Write(const json& v, int indent, std::ostream& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      out << pad;
      WriteScalar(json(it.key()), out);
      out << ':';
      WriteValueAfterKey(*it, indent, out);
    }
  } else if (v.is_array()) {
    for (const json& item : v) {
      out << pad << "-";
      if (item.is_object() && !item.empty()) {
        // First key on the dash line, the rest aligned under it.
        bool first = true;
        for (auto it = item.begin(); it != item.end(); ++it) {
          out << (first ? " " : pad + "  ");
          first = false;
          WriteScalar(json(it.key()), out);
          out << ':';
          WriteValueAfterKey(*it, indent + 2, out);
        }
      } else if (item.is_array() && !item.empty()) {
        out << '\n';
        Write(item, indent + 2, out);
      } else {
        WriteValueAfterKey(item, indent, out);
      }
    }
  } else {
    out << pad;
    WriteScalar(v, out);
    out << '\n';
  }
}

}  // namespace

void WriteYaml(const json& value, std::ostream& out) {
  if (IsEmptyContainer(value)) {
    out << (value.is_object() ? "{}" : "[]") << '\n';
    return;
  }
  Write(value, 0, out);
}

}  // namespace csp::scan
