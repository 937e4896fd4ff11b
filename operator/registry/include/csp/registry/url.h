// The absolute http(s) URLs the registry protocol hands out: token realms and redirect targets.
#pragma once

#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::registry {

struct Url {
  bool tls = true;           // https
  std::string host = {};     // lower-case, ":port" kept when given
  std::string target = "/";  // path and query, as sent in the request line
  std::string ToString() const { return (tls ? "https://" : "http://") + host + target; }
};

// "https://auth.example:8443/token?x=1" -> {true, "auth.example:8443", "/token?x=1"}.
// kInvalidArgument for another scheme, an empty host, user info ("user@host"), or characters
// that cannot appear in a request line (control characters, spaces). The fragment is dropped.
Result<Url> ParseUrl(std::string_view text);

// A Location header relative to `base`: absolute URLs, "//host/path", "/path" and
// "path" (relative to base's directory) are understood.
Result<Url> ResolveLocation(const Url& base, std::string_view location);

// Percent-encodes everything but RFC 3986's unreserved characters, for query values.
std::string EncodeQueryValue(std::string_view value);

}  // namespace csp::registry
