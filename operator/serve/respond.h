// The server's request-to-response logic on Beast's messages, without sockets: the parser's
// limits, the answer to a read that failed, and routing. Private to csp_serve (it includes
// Beast); the session (session.h) and the fuzzer (tests/fuzz) use it.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <optional>

#include "csp/serve/http_server.h"
#include "csp/serve/routes.h"

namespace csp::serve {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A parser for one request, with the head and body limits of `options`.
void LimitParser(RequestParser& parser, const ServerOptions& options);

// The answer to a request that could not be read whole: 431 (head too long), 413 (body too
// long), 400 (malformed); each closes the connection. nullopt when the failure is the client's
// or the network's (end of stream, timeout, reset, TLS): the connection closes silently.
std::optional<BeastResponse> RespondToReadError(const boost::system::error_code& ec);

// The answer to a complete request: 400 for a target that does not start with '/', 404 for a
// path not in `routes`, 405 (with Allow) for a method the route does not list, else the
// handler's response, or 500 when it throws or returns an invalid response. HEAD gets the
// headers without the body. The response keeps the connection alive when the request allows it
// (HTTP/1.1 without `Connection: close`).
BeastResponse RespondTo(const Routes& routes, const BeastRequest& request);

}  // namespace csp::serve
