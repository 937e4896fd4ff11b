// Transport: one HTTP exchange with a registry or token server, bounded in time and size. The
// seam between the client's protocol logic (auth, redirects, retries) and the socket library;
// beast_transport.cc is the real one.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "csp/common/result.h"
#include "csp/kube/transport.h"  // Headers, FindHeader, HttpResponse

namespace csp::registry {

// How a host is reached. kTls is the default for every host; the others are explicit opt-ins
// per host (ClientOptions::insecure_hosts).
enum class HostSecurity {
  kTls,            // HTTPS, certificate and host name verified
  kTlsSkipVerify,  // HTTPS, any certificate accepted (encrypted, not authenticated)
  kPlainHttp,      // HTTP: no TLS at all
};

struct HttpCall {
  std::string method = "GET";  // GET, HEAD, POST
  std::string host = {};       // "host" or "host:port"; the port defaults to 443 / 80
  HostSecurity security = HostSecurity::kTls;
  std::string target = "/";  // path and query
  kube::Headers headers = {};
  std::string body = {};
  // The response body may not exceed this (else kResourceExhausted, nothing kept); HEAD has none.
  std::size_t max_body_bytes = 0;
  // The whole exchange (resolve, connect, handshake, write, read) ends by then.
  std::chrono::steady_clock::time_point deadline = {};
};

// Errors follow kube::HttpTransport's meaning, so that kube::IsRetryable applies:
//   kUnavailable       nothing was sent: resolve, connect or handshake failed, or timed out.
//   kAborted           the connection broke or the deadline passed after sending began.
//   kUnauthenticated   TLS verification failed.
//   kResourceExhausted the response head or body is larger than allowed.
// Any HTTP status is a success. Messages start with "registry <host>: ". Thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<kube::HttpResponse> Send(const HttpCall& call) = 0;
};

struct TlsOptions {
  bool system_cas = true;          // the OpenSSL default verify paths
  std::string ca_bundle_pem = {};  // extra trusted CAs (PEM, one or more), added to the above
};

// Boost.Beast over Asio, with OpenSSL for TLS (1.2 or 1.3, SNI, host name or IP SAN checked).
// One connection per exchange, closed after it. kInvalidArgument when the CA bundle does not
// parse.
Result<std::unique_ptr<Transport>> NewBeastTransport(const TlsOptions& tls);

}  // namespace csp::registry
