#include "csp/serve/http_server.h"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "csp/serve/http_request.h"
#include "csp/serve/http_response.h"
#include "csp/serve/http_router.h"
#include "csp/serve/listen_address.h"

namespace csp::serve {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// One accepted connection: read one request head, write one response, close. Lives as long as
// one of its asynchronous operations holds it; the deadline only holds a weak reference.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const Routes& routes, const ServerOptions& options,
             std::size_t& open_connections)
      : socket_(std::move(socket)),
        deadline_(socket_.get_executor()),
        routes_(routes),
        options_(options),
        open_connections_(open_connections) {
    ++open_connections_;
  }
  ~Connection() { --open_connections_; }

  void Start() {
    ArmDeadline(options_.read_timeout);
    ReadHead();
  }

 private:
  // Closing the socket makes the pending read or write fail, which releases the connection.
  void ArmDeadline(std::chrono::milliseconds timeout) {
    deadline_.expires_after(timeout);
    deadline_.async_wait([weak = weak_from_this()](const error_code& ec) {
      if (ec) return;  // re-armed or cancelled
      if (auto self = weak.lock()) self->Close();
    });
  }

  void ReadHead() {
    socket_.async_read_some(
        asio::buffer(chunk_),
        [self = shared_from_this()](const error_code& ec, std::size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(const error_code& ec, std::size_t n) {
    if (ec) return Close();  // the client went away, or the deadline closed the socket
    head_.append(chunk_.data(), n);
    const std::optional<std::size_t> length = RequestHeadLength(head_);
    if (length && *length <= options_.max_head_bytes) {
      return Send(RespondTo(routes_, std::string_view(head_).substr(0, *length)));
    }
    if (head_.size() > options_.max_head_bytes) {
      return Send(SerializeResponse({.status = 431, .body = "request head too large\n"}, true));
    }
    ReadHead();
  }

  void Send(std::string bytes) {
    out_ = std::move(bytes);
    ArmDeadline(options_.write_timeout);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](const error_code& ec, std::size_t) {
                        if (ec) return self->Close();
                        error_code ignored;
                        self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                        self->Drain();
                      });
  }

  // Lingering close: closing a socket with unread input resets the connection, and a reset can
  // discard the response before the client reads it. So read and discard until the client
  // closes (it has our FIN) or the write deadline passes.
  void Drain() {
    socket_.async_read_some(asio::buffer(chunk_),
                            [self = shared_from_this()](const error_code& ec, std::size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    deadline_.cancel();
    error_code ignored;
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer deadline_;
  const Routes& routes_;
  const ServerOptions& options_;
  std::size_t& open_connections_;
  std::array<char, 2048> chunk_;
  std::string head_;
  std::string out_;
};

std::string ToString(const tcp::endpoint& endpoint) {
  const std::string host = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + host + "]" : host) + ":" +
         std::to_string(endpoint.port());
}

// Where to try listening, in order. ":port" prefers one dual-stack IPv6 socket and falls back to
// IPv4 where the kernel has no IPv6.
Result<std::vector<tcp::endpoint>> Endpoints(asio::io_context& io, const ListenAddress& address,
                                             const std::string& context) {
  if (address.host.empty()) {
    return std::vector<tcp::endpoint>{tcp::endpoint(tcp::v6(), address.port),
                                      tcp::endpoint(tcp::v4(), address.port)};
  }
  error_code ec;
  const asio::ip::address literal = asio::ip::make_address(address.host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(literal, address.port)};
  tcp::resolver resolver(io);
  const auto results =
      resolver.resolve(address.host, std::to_string(address.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) {
    return Error{Code::kUnavailable, context + "resolve " + address.host + ": " + ec.message()};
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  return endpoints;
}

error_code Listen(tcp::acceptor& acceptor, const tcp::endpoint& endpoint, bool dual_stack) {
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return ec;
  error_code ignored;  // without these the server still works: on IPv6 only, or slower rebinds
  if (dual_stack && endpoint.address().is_v6()) {
    acceptor.set_option(asio::ip::v6_only(false), ignored);
  }
  acceptor.set_option(tcp::acceptor::reuse_address(true), ignored);
  acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) acceptor.close(ignored);
  return ec;
}

// Errors after which the next candidate endpoint may still work (another address family).
bool TryNextEndpoint(const error_code& ec) {
  return ec == asio::error::address_family_not_supported ||
         ec == boost::system::errc::address_not_available;
}

}  // namespace

struct HttpServer::Impl {
  Impl(Routes routes_in, const ServerOptions& options_in)
      : routes(std::move(routes_in)), options(options_in) {}

  void Accept() {
    acceptor->async_accept([this](const error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;  // stopping
      if (ec) {
        // Typically out of file descriptors: wait for connections to close instead of spinning.
        accept_retry->expires_after(std::chrono::milliseconds(100));
        accept_retry->async_wait([this](const error_code& wait_ec) {
          if (!wait_ec) Accept();
        });
        return;
      }
      if (open_connections < options.max_connections) {
        std::make_shared<Connection>(std::move(socket), routes, options, open_connections)->Start();
      }  // else `socket` closes here
      Accept();
    });
  }

  void Run() {
    for (;;) {
      try {
        io->run();
        return;  // stopped
      } catch (...) {
        // Only an allocation failure can get here (RespondTo catches handler exceptions); the
        // failed connection is gone, the others keep being served.
      }
    }
  }

  const Routes routes;
  const ServerOptions options;
  std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>(1);
  std::unique_ptr<tcp::acceptor> acceptor = std::make_unique<tcp::acceptor>(*io);
  std::unique_ptr<asio::steady_timer> accept_retry = std::make_unique<asio::steady_timer>(*io);
  std::size_t open_connections = 0;  // server thread only
  int port = 0;
  std::thread thread;
  std::mutex stop_mu;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(std::string_view address, Routes routes) {
  return Start(address, std::move(routes), ServerOptions{});
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(std::string_view address, Routes routes,
                                                      const ServerOptions& options) {
  CSP_TRY(const ListenAddress parsed, ParseListenAddress(address));
  auto impl = std::make_unique<Impl>(std::move(routes), options);
  const std::string context = "listen on \"" + std::string(address) + "\": ";
  CSP_TRY(const std::vector<tcp::endpoint> endpoints, Endpoints(*impl->io, parsed, context));
  error_code ec = asio::error::host_not_found;
  tcp::endpoint tried;
  for (const tcp::endpoint& endpoint : endpoints) {
    tried = endpoint;
    ec = Listen(*impl->acceptor, endpoint, parsed.host.empty());
    if (!ec || !TryNextEndpoint(ec)) break;
  }
  if (ec)
    return Error{Code::kUnavailable, context + "bind " + ToString(tried) + ": " + ec.message()};
  impl->port = impl->acceptor->local_endpoint(ec).port();
  if (ec) return Error{Code::kUnavailable, context + "local address: " + ec.message()};
  impl->Accept();
  impl->thread = std::thread([raw = impl.get()] { raw->Run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  std::lock_guard lock(impl_->stop_mu);
  if (!impl_->io) return;
  impl_->io->stop();
  // From a handler, joining would wait for this very thread: stop serving now, and leave the
  // join and the cleanup to a later Stop() (the destructor) on another thread.
  if (std::this_thread::get_id() == impl_->thread.get_id()) return;
  if (impl_->thread.joinable()) impl_->thread.join();
  // Pending operations still hold the connections: destroying the io_context destroys them and
  // so closes every socket; the acceptor (which needs the io_context) goes first.
  impl_->accept_retry.reset();
  impl_->acceptor.reset();
  impl_->io.reset();
}

}  // namespace csp::serve
