// The server's whole request-to-response logic, without sockets: parse, route, call, serialize.
#pragma once

#include <string>
#include <string_view>

#include "csp/serve/routes.h"

namespace csp::serve {

// The response bytes for one complete request head: 400 for a malformed head, 405 (with
// `Allow: GET, HEAD`) for other methods, 404 for a path not in `routes` (the query string is
// ignored), else the handler's response; 500 when the handler throws or returns an invalid status
// or a Content-Type with a line break. HEAD gets GET's headers without the body.
std::string RespondTo(const Routes& routes, std::string_view head);

}  // namespace csp::serve
