#include "respond.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace csp::serve {
namespace {

namespace http = boost::beast::http;

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

// Every response is HTTP/1.1 (the highest version the server speaks, RFC 9110 §6.2) with a
// Content-Length, also for HEAD, where it is the length GET's body would have.
BeastResponse Make(const Response& response, bool keep_alive, bool with_body) {
  BeastResponse out;
  out.version(11);
  out.result(static_cast<unsigned>(response.status));
  out.set(http::field::content_type, response.content_type);
  out.content_length(response.body.size());
  if (with_body) out.body() = response.body;
  out.keep_alive(keep_alive);
  return out;
}

BeastResponse Closing(int status, std::string body) {
  return Make({.status = status, .body = std::move(body)}, false, true);
}

// A response that could not be framed correctly: 1xx and 204 must not carry Content-Length, and
// a control character in Content-Type could inject headers.
bool IsServable(const Response& response) {
  if (response.status < 200 || response.status > 599 || response.status == 204) return false;
  return std::none_of(response.content_type.begin(), response.content_type.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Response Call(const Handler& handler, const Request& request) {
  try {
    Response response = handler(request);
    if (!IsServable(response)) {
      return {.status = 500, .body = "handler returned an invalid response\n"};
    }
    return response;
  } catch (...) {
    // The exception's text stays out of the body: it may describe internals.
    return {.status = 500, .body = "internal server error\n"};
  }
}

std::string Join(const std::vector<std::string>& methods) {
  std::string out;
  for (const std::string& method : methods) {
    if (!out.empty()) out += ", ";
    out += method;
  }
  return out;
}

}  // namespace

void LimitParser(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options.max_head_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(options.max_body_bytes);
}

std::optional<BeastResponse> RespondToReadError(const boost::system::error_code& ec) {
  if (ec.category() != make_error_code(http::error::end_of_stream).category()) return std::nullopt;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec == http::error::header_limit) return Closing(431, "request head too large\n");
  if (ec == http::error::body_limit) return Closing(413, "request body too large\n");
  return Closing(400, "malformed request: " + ec.message() + "\n");
}

BeastResponse RespondTo(const Routes& routes, const BeastRequest& request) {
  // HTTP/1.0 keep-alive is a non-standard extension: one response, then close.
  const bool keep_alive = request.version() == 11 && request.keep_alive();
  const std::string_view target = View(request.target());
  if (!target.starts_with('/')) {
    return Closing(400, "malformed request: the target must be a path\n");
  }
  const std::string_view method = View(request.method_string());
  const bool is_head = method == "HEAD";
  const auto route = routes.find(target.substr(0, target.find_first_of("?#")));
  if (route == routes.end())
    return Make({.status = 404, .body = "not found\n"}, keep_alive, !is_head);
  const std::vector<std::string>& methods = route->second.methods;
  if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
    BeastResponse out = Make({.status = 405, .body = "method not allowed\n"}, keep_alive, !is_head);
    out.set(http::field::allow, Join(methods));
    return out;
  }
  const Request view{.method = method,
                     .path = route->first,
                     .content_type = View(request[http::field::content_type]),
                     .body = request.body()};
  return Make(Call(route->second.handler, view), keep_alive, !is_head);
}

}  // namespace csp::serve
