#include "csp/docker/interpolate.h"

namespace csp::docker {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::map<std::string, std::string, std::less<>>> ParseEnvFile(std::string_view text) {
  std::map<std::string, std::string, std::less<>> values;
  int line_number = 0;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line.starts_with('#')) continue;
    if (line.starts_with("export ")) line = Trim(line.substr(7));
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgument("line " + std::to_string(line_number) + ": expected KEY=VALUE");
    }
    std::string_view value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    values.insert_or_assign(std::string(Trim(line.substr(0, eq))), std::string(value));
  }
  return values;
}

}  // namespace csp::docker
