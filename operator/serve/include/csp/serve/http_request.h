// Parsing of an HTTP/1.x request head (RFC 9112): just what routing needs, nothing of the body.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::serve {

struct RequestHead {
  std::string method = {};
  std::string path = {};  // the origin-form target without its query string or fragment
  int minor_version = 1;  // HTTP/1.<minor_version>
};

// The length of the request head at the start of `buffer`, up to and including the empty line
// that ends it (CRLF or bare LF line endings); nullopt while it is incomplete. Empty lines before
// the request line are part of the head and are skipped by ParseRequestHead (RFC 9112 §2.2).
std::optional<std::size_t> RequestHeadLength(std::string_view buffer);

// Parses a complete head: the request line must be `method SP /target SP HTTP/1.x`, and every
// header line must be `name: value` (no obsolete line folding). kInvalidArgument says what is
// wrong; the server answers it with 400.
Result<RequestHead> ParseRequestHead(std::string_view head);

}  // namespace csp::serve
