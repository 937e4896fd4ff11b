// Test helper: splits raw response bytes into status, headers and body, so that tests check
// each part (and notice a missing or duplicated header) instead of comparing whole strings.
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace csp::serve::testing {

struct ParsedResponse {
  std::string status_line;
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lowercase names
  std::string body;

  // The value of a header that must appear exactly once; nullopt if absent or repeated.
  std::optional<std::string> Header(std::string name) const {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (headers.count(name) != 1) return std::nullopt;
    return headers.find(name)->second;
  }
};

// nullopt unless `raw` has a status line and a head ending in CR LF CR LF.
inline std::optional<ParsedResponse> ParseResponse(std::string_view raw) {
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return std::nullopt;
  ParsedResponse out;
  out.body = std::string(raw.substr(head_end + 4));
  std::string_view head = raw.substr(0, head_end + 2);
  const std::size_t first_eol = head.find("\r\n");
  out.status_line = std::string(head.substr(0, first_eol));
  if (out.status_line.rfind("HTTP/1.1 ", 0) != 0 || out.status_line.size() < 12) {
    return std::nullopt;
  }
  out.status = std::stoi(out.status_line.substr(9, 3));
  head.remove_prefix(first_eol + 2);
  while (!head.empty()) {
    const std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.headers.emplace(std::move(name), std::string(value));
  }
  return out;
}

}  // namespace csp::serve::testing
