#include "csp/docker/interpolate.h"

namespace csp::docker {
namespace {

bool IsNameStart(char c) { return c == '_' || std::isalpha(static_cast<unsigned char>(c)); }
bool IsNameChar(char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); }

// The offset of the `}` closing the `${` whose body starts at `from`, or npos.
std::size_t ClosingBrace(std::string_view text, std::size_t from) {
  int depth = 1;
  for (std::size_t i = from; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (text[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// The value of one `${...}` body.
Result<std::string> Expand(std::string_view body, const Lookup& lookup) {
  std::size_t n = 0;
  while (n < body.size() && IsNameChar(body[n])) ++n;
  const std::string_view name = body.substr(0, n);
  if (name.empty() || !IsNameStart(name[0])) {
    return InvalidArgument("invalid interpolation \"${" + std::string(body) + "}\"");
  }
  const std::optional<std::string> value = lookup(name);
  std::string_view rest = body.substr(n);
  if (rest.empty()) {
    if (!value) {
      return InvalidArgument("variable \"" + std::string(name) +
                             "\" is not set and has no default");
    }
    return *value;
  }
  const bool colon = rest.starts_with(':');
  if (colon) rest.remove_prefix(1);
  if (rest.empty())
    return InvalidArgument("invalid interpolation \"${" + std::string(body) + "}\"");
  const char op = rest[0];
  const std::string_view arg = rest.substr(1);
  // With `:`, an empty value counts as unset.
  const bool set = value && !(colon && value->empty());
  switch (op) {
    case '-':
      if (set) return *value;
      return Interpolate(arg, lookup);
    case '+':
      if (!set) return std::string();
      return Interpolate(arg, lookup);
    case '?': {
      if (set) return *value;
      CSP_TRY(std::string message, Interpolate(arg, lookup));
      return InvalidArgument("variable \"" + std::string(name) + "\" is required" +
                             (message.empty() ? "" : ": " + message));
    }
    default:
      return InvalidArgument("invalid interpolation \"${" + std::string(body) + "}\"");
  }
}

}  // namespace

Result<std::string> Interpolate(std::string_view text, const Lookup& lookup) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char next = text[i + 1];
    if (next == '$') {
      out += '$';
      ++i;
    } else if (next == '{') {
      const std::size_t close = ClosingBrace(text, i + 2);
      if (close == std::string_view::npos) {
        return InvalidArgument("unterminated \"${\" in \"" + std::string(text) + "\"");
      }
      CSP_TRY(std::string value, Expand(text.substr(i + 2, close - i - 2), lookup));
      out += value;
      i = close;
    } else if (IsNameStart(next)) {
      std::size_t end = i + 1;
      while (end < text.size() && IsNameChar(text[end])) ++end;
      CSP_TRY(std::string value, Expand(text.substr(i + 1, end - i - 1), lookup));
      out += value;
      i = end - 1;
    } else {
      out += '$';
    }
  }
  return out;
}

}  // namespace csp::docker
