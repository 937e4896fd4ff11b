#include "csp/policy/cel.h"

namespace csp::policy::cel {

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "'";
}

std::string QuoteList(std::span<const std::string> items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", " : "") + Quote(items[i]);
  return out + "]";
}

std::string Let(std::string_view name, std::string_view value, std::string_view body) {
  return "[" + std::string(value) + "].map(" + std::string(name) + ", " + std::string(body) +
         ")[0]";
}

std::string EachContainer(std::string_view problem) {
  return "lists.range(size(variables.containers)).map(i, [variables.containers[i]].map(c, "
         "[variables.containerLabels[i], " +
         std::string(problem) + "])[0]).filter(p, p[1] != '').map(p, p[0] + ': ' + p[1])";
}

CelCheck EachContainerCheck(std::string_view problem) {
  return {.passes = "variables.containers.all(c, (" + std::string(problem) + ") == '')",
          .violations = EachContainer(problem)};
}

CelCheck ListCheck(std::string list) {
  return {.passes = "size(" + list + ") == 0", .violations = std::move(list)};
}

std::string GlobRegex(std::string_view glob) {
  // (?s): `.` matches every character, as `*` does in GlobMatch.
  std::string out = "(?s)^";
  for (char c : glob) {
    if (c == '*') {
      out += ".*";
    } else if (std::string_view("\\.+?()[]{}|^$").find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out + "$";
}

std::string NormalizedAbsolutePath(std::string_view path_expr) {
  return "'/' + " + std::string(path_expr) + ".split('/').filter(s, s != '' && s != '.').join('/')";
}

std::string PathHasPrefix(std::string_view path_expr, std::string_view prefix) {
  if (prefix == "/") return "true";  // every absolute path lies below the root
  const std::string p(path_expr);
  return "(" + p + " == " + Quote(prefix) + " || " + p + ".startsWith(" +
         Quote(std::string(prefix) + "/") + "))";
}

std::string PathHasPrefixExpr(std::string_view path_expr, std::string_view prefix_expr) {
  const std::string p(path_expr), q(prefix_expr);
  return "(" + q + " == '/' || " + p + " == " + q + " || " + p + ".startsWith(" + q + " + '/'))";
}

std::string NormalizedCapability(std::string_view name_expr) {
  return Let("u", std::string(name_expr) + ".upperAscii()",
             "size(u) > 4 && u.startsWith('CAP_') ? u.substring(4) : u");
}

}  // namespace csp::policy::cel
