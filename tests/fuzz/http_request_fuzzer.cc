// Feeds arbitrary bytes to the HTTP server's request handling as a connection delivers them
// (operator/serve/http_server.cc: append a read, look for the end of the head, answer it): the
// answer must be a framed HTTP/1.1 response whatever the bytes, and finding the end of the head
// must not depend on how the bytes were split into reads.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "csp/serve/http_request.h"
#include "csp/serve/http_router.h"
#include "csp/serve/routes.h"

namespace {

const csp::serve::Routes& TestRoutes() {
  static const auto* routes = new csp::serve::Routes{
      {"/healthz", [] { return csp::serve::Response{.body = "ok\n"}; }},
      {"/metrics",
       [] { return csp::serve::Response{.content_type = "text/plain", .body = "x 1\n"}; }},
      {"/throws", []() -> csp::serve::Response { throw 1; }},
  };
  return *routes;
}

// The first head length found while the bytes arrive one at a time, as the server looks for it
// after every read.
std::optional<std::size_t> HeadLengthOneByteAtATime(std::string_view input) {
  std::string received;
  for (char c : input) {
    received.push_back(c);
    if (auto length = csp::serve::RequestHeadLength(received)) return length;
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::optional<std::size_t> length = csp::serve::RequestHeadLength(input);
  if (length != HeadLengthOneByteAtATime(input)) __builtin_trap();
  // Whatever is not a complete head must still be parsed without harm.
  (void)csp::serve::ParseRequestHead(input);
  if (!length) return 0;
  if (*length == 0 || *length > size || input[*length - 1] != '\n') __builtin_trap();
  const std::string response = csp::serve::RespondTo(TestRoutes(), input.substr(0, *length));
  const std::size_t end_of_head = response.find("\r\n\r\n");
  if (!response.starts_with("HTTP/1.1 ") || end_of_head == std::string::npos) __builtin_trap();
  // No byte of the request reaches the response head: every header line is one the server sets.
  std::string_view head = std::string_view(response).substr(0, end_of_head + 2);
  head.remove_prefix(head.find("\r\n") + 2);
  while (!head.empty()) {
    const std::string_view line = head.substr(0, head.find("\r\n"));
    head.remove_prefix(line.size() + 2);
    if (!line.starts_with("Content-Type: ") && !line.starts_with("Content-Length: ") &&
        line != "Connection: close" && line != "Allow: GET, HEAD") {
      __builtin_trap();
    }
  }
  return 0;
}
