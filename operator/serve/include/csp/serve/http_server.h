// A small HTTP/1.1 server for /healthz, /readyz and /metrics, shared by the operator and the node
// agent. It serves GET and HEAD on exact paths with `Connection: close`, on its own thread.
//
// Handlers run on that thread, one at a time (see routes.h): a slow handler delays every other
// request, so handlers only read state that other threads keep up to date. The library does not
// log; callers log the errors that Start returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include "csp/common/result.h"
#include "csp/serve/routes.h"

namespace csp::serve {

struct ServerOptions {
  // A client must send its whole request head within this time, or the connection is closed:
  // a silent client cannot hold a connection slot.
  std::chrono::milliseconds read_timeout = std::chrono::seconds(5);
  // Bounds writing the response and the lingering close that follows it.
  std::chrono::milliseconds write_timeout = std::chrono::seconds(10);
  // A request head (request line and headers) longer than this gets 431.
  std::size_t max_head_bytes = 8192;
  // Connections accepted beyond this many open ones are closed at once, so that a flood of idle
  // clients cannot exhaust file descriptors (each is closed after read_timeout anyway).
  std::size_t max_connections = 128;
};

class HttpServer {
 public:
  // `address` is "host:port", ":port" (all interfaces, IPv6 and IPv4 where available) or
  // "[v6addr]:port"; port 0 picks a free port. Errors instead of exceptions: kInvalidArgument for
  // a malformed address (the message names it), kUnavailable when resolving or binding fails
  // (with the OS reason).
  static Result<std::unique_ptr<HttpServer>> Start(std::string_view address, Routes routes);
  static Result<std::unique_ptr<HttpServer>> Start(std::string_view address, Routes routes,
                                                   const ServerOptions& options);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Stop()

  int port() const;  // the bound port (useful with port 0); still valid after Stop()

  // Closes the listening socket and every open connection, and joins the server thread.
  // Idempotent and safe to call from several threads. Called from a handler, it only stops
  // serving; the destructor, which must then run on another thread, does the rest.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace csp::serve
