// The operator's and the node agent's HTTP server (Boost.Beast): /healthz, /readyz and /metrics
// over plain HTTP, and the admission webhook over HTTPS. HTTP/1.1 with keep-alive (HTTP/1.0
// requests get one response and a close), request bodies up to a limit, exact-path routes.
//
// The library does not log; callers log the errors that Start returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include "csp/common/result.h"
#include "csp/serve/routes.h"
#include "csp/serve/tls_credentials.h"

namespace csp::serve {

struct ServerOptions {
  // A request (TLS handshake, head and body) must arrive whole within this time from its first
  // byte, or from the accept for a connection's first request; else the connection is closed
  // without a response, so that a slow client cannot hold a connection slot.
  std::chrono::milliseconds read_timeout = std::chrono::seconds(5);
  // Bounds writing a response, and the close that follows the last one.
  std::chrono::milliseconds write_timeout = std::chrono::seconds(10);
  // A kept-alive connection with no new request for this long is closed. Longer than the idle
  // timeout of Go's HTTP clients (90 s, the kube-apiserver's): the client closes an idle
  // connection first, so it never sends a request on one the server is closing.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(120);
  // A request head (request line and headers) beyond about this many bytes gets 431; Beast
  // counts the header fields against it and bounds the request line by it separately.
  std::size_t max_head_bytes = 8192;
  // A request body beyond this gets 413 and the connection is closed. 3 MiB: an AdmissionReview
  // carries the object and the old object, each up to etcd's 1.5 MiB.
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  // Connections accepted beyond this many open ones are closed at once, so that a flood of idle
  // clients cannot exhaust file descriptors.
  std::size_t max_connections = 128;
  // Threads running the server; with more than one, handlers run concurrently (routes.h).
  int threads = 1;
  // Null: plain HTTP. Else HTTPS only, TLS 1.2 or 1.3, with these credentials.
  std::shared_ptr<TlsCredentials> tls = nullptr;
};

class HttpServer {
 public:
  // `address` is "host:port", ":port" (all interfaces, IPv6 and IPv4 where available) or
  // "[v6addr]:port"; port 0 picks a free port. Errors instead of exceptions: kInvalidArgument for
  // a malformed address (the message names it) or options, kUnavailable when resolving or
  // binding fails (with the OS reason).
  static Result<std::unique_ptr<HttpServer>> Start(std::string_view address, Routes routes,
                                                   const ServerOptions& options = {});

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Stop()

  int port() const;  // the bound port (useful with port 0); still valid after Stop()

  // Closes the listening socket and every open connection, and joins the server's threads.
  // Idempotent and safe to call from several threads. Called from a handler, it only stops
  // serving; the destructor, which must then run on another thread, does the rest.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace csp::serve
