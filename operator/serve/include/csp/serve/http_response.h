// Serializing a response: status line, Content-Type, Content-Length, Connection: close.
#pragma once

#include <string>
#include <string_view>

#include "csp/serve/routes.h"

namespace csp::serve {

// The standard reason phrase of `status`; empty for codes it does not know (allowed by RFC 9112).
std::string_view ReasonPhrase(int status);

// The bytes of `response` on the wire. `extra_headers` are complete "Name: value\r\n" lines.
// Content-Length is always the body's length; the body itself is left out when !with_body (HEAD).
std::string SerializeResponse(const Response& response, bool with_body,
                              std::string_view extra_headers = {});

}  // namespace csp::serve
