#include "csp/serve/http_request.h"

#include <string>

namespace csp::serve {
namespace {

// RFC 9110 §5.6.2 tchar: the characters of a method token and a header name.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// Visible ASCII only: no spaces, controls or bytes >= 0x80 in a request target.
bool IsTargetChar(char c) { return c > 0x20 && c < 0x7f; }

// Calls `line(text)` for each line of `head` (without its CR LF or LF) until one returns false.
template <typename F>
void ForEachLine(std::string_view head, F line) {
  while (!head.empty()) {
    const std::size_t nl = head.find('\n');
    std::string_view text = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (!line(text)) return;
  }
}

Error Bad(std::string reason) { return InvalidArgument("malformed request: " + std::move(reason)); }

Result<RequestHead> ParseRequestLine(std::string_view line) {
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Bad("request line has no target");
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Bad("request line has no HTTP version");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Bad("invalid method");
  if (target.empty() || target.front() != '/') return Bad("target must start with '/'");
  for (char c : target) {
    if (!IsTargetChar(c)) return Bad("invalid character in target");
  }
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' ||
      version[7] > '9') {
    return Bad("version must be HTTP/1.x");
  }
  RequestHead request;
  request.method = std::string(method);
  request.path = std::string(target.substr(0, target.find_first_of("?#")));
  request.minor_version = version[7] - '0';
  return request;
}

}  // namespace

std::optional<std::size_t> RequestHeadLength(std::string_view buffer) {
  std::size_t line_start = 0;
  bool seen_request_line = false;
  for (std::size_t i = buffer.find('\n'); i != std::string_view::npos;
       i = buffer.find('\n', i + 1)) {
    std::string_view line = buffer.substr(line_start, i - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) {
      seen_request_line = true;
    } else if (seen_request_line) {
      return i + 1;
    }
    line_start = i + 1;
  }
  return std::nullopt;
}

Result<RequestHead> ParseRequestHead(std::string_view head) {
  std::optional<Result<RequestHead>> request;
  std::optional<Error> header_error;
  ForEachLine(head, [&](std::string_view line) {
    if (!request) {
      if (line.empty()) return true;  // empty lines before the request line are allowed
      request = ParseRequestLine(line);
      return request->has_value();
    }
    if (line.empty()) return false;  // end of the head
    if (line.front() == ' ' || line.front() == '\t') {
      header_error = Bad("obsolete header line folding");
      return false;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      header_error = Bad("invalid header line");
      return false;
    }
    return true;
  });
  if (!request) return Bad("empty request");
  if (header_error) return *header_error;
  return *std::move(request);
}

}  // namespace csp::serve
