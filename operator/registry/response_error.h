// Turns an unwanted HTTP answer into an Error naming the registry, the status, the request and
// the registry's own error code, e.g.
//   registry 127.0.0.1:5000: 401 Unauthorized for GET /v2/app/manifests/v1 (UNAUTHORIZED: ...)
#pragma once

#include <string>
#include <string_view>

#include "csp/common/result.h"
#include "csp/kube/transport.h"

namespace csp::registry {

// Codes: 404 kNotFound, 401 kUnauthenticated, 403 kPermissionDenied, 429 and 5xx
// kUnavailable, anything else kFailedPrecondition. The first entry of a distribution error body
// ({"errors":[{"code","message"}]}) is appended, cut to 200 printable characters.
Error ResponseError(std::string_view host, std::string_view what,
                    const kube::HttpResponse& response);

// "<status> <reason>": "404 Not Found".
std::string StatusText(int status);

// At most `max` characters of `text`, control and non-ASCII characters replaced by '?', so that
// a hostile answer cannot forge log lines.
std::string Printable(std::string_view text, std::size_t max = 200);

}  // namespace csp::registry
