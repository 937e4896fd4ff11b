#include "csp/serve/http_router.h"

#include <exception>
#include <string>

#include "csp/serve/http_request.h"
#include "csp/serve/http_response.h"

namespace csp::serve {
namespace {

Response PlainText(int status, std::string body) {
  return Response{.status = status, .body = std::move(body)};
}

// A response that could not be framed correctly: 1xx and 204 must not carry Content-Length, and
// a line break in Content-Type would inject headers.
bool IsServable(const Response& response) {
  if (response.status < 200 || response.status > 599 || response.status == 204) return false;
  return response.content_type.find_first_of("\r\n") == std::string::npos;
}

Response Call(const Handler& handler) {
  try {
    Response response = handler();
    if (!IsServable(response)) return PlainText(500, "handler returned an invalid response\n");
    return response;
  } catch (...) {
    // The exception's text stays out of the body: it may describe internals.
    return PlainText(500, "internal server error\n");
  }
}

}  // namespace

std::string RespondTo(const Routes& routes, std::string_view head) {
  const Result<RequestHead> request = ParseRequestHead(head);
  if (!request) return SerializeResponse(PlainText(400, request.error().message + "\n"), true);
  const bool is_head = request->method == "HEAD";
  if (request->method != "GET" && !is_head) {
    return SerializeResponse(PlainText(405, "method not allowed\n"), true, "Allow: GET, HEAD\r\n");
  }
  const auto route = routes.find(request->path);
  if (route == routes.end()) return SerializeResponse(PlainText(404, "not found\n"), !is_head);
  return SerializeResponse(Call(route->second), !is_head);
}

}  // namespace csp::serve
