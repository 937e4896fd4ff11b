// HttpTransport: the narrow seam between the Kubernetes client and an HTTP library. Only
// cpprest_transport.cc names cpprestsdk; everything else (the client, its tests) sees this.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csp/common/result.h"

namespace csp::kube {

// Header names compare case-insensitively; responses carry them lower-cased.
using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of the first header called `name` (any case), if present.
std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE
  std::string target = {};     // path and query, already percent-encoded: "/api/v1/pods?limit=5"
  Headers headers = {};        // Content-Type belongs here when body is set
  std::string body = {};
};

struct HttpResponse {
  int status = 0;
  Headers headers = {};
  std::string body = {};
};

// Receives a streamed response body piece by piece; chunk boundaries are arbitrary (a JSON line
// may be split anywhere). Returning false stops the stream.
using ChunkCallback = std::function<bool(std::string_view chunk)>;

// A failed exchange (no HTTP response) is an Error whose code says how far the request got,
// because that decides whether a non-idempotent request may be retried:
//   kUnavailable      no connection: refused, unreachable, DNS, or a TLS handshake cut short.
//                     Nothing was sent.
//   kAborted          the connection broke or timed out after sending began; the server may
//                     have acted on the request.
//   kUnauthenticated  TLS verification failed (untrusted server certificate, wrong host name).
//                     Retrying will not help.
// Any HTTP status, including 4xx and 5xx, is a successful exchange. Implementations are
// thread-safe: the client issues concurrent requests.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // One request, whole response.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;

  // A long-running request (WATCH). For a 2xx status, body chunks go to `on_chunk` as they
  // arrive and the returned response has an empty body; other statuses return their whole
  // body without calling `on_chunk`. Returns when the server ends the body or `on_chunk`
  // returns false (both succeed), when the connection is lost (kAborted) or goes quiet for
  // `idle_timeout` (kAborted), or soon after `stop` is requested (then the result does not
  // matter and may be an error).
  virtual Result<HttpResponse> Stream(const HttpRequest& request, std::chrono::seconds idle_timeout,
                                      const ChunkCallback& on_chunk, std::stop_token stop) = 0;
};

}  // namespace csp::kube
