#include "csp/serve/http_server.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "csp/serve/listen_address.h"
#include "session.h"
#include "tls_access.h"

namespace csp::serve {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

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
  Impl(Routes routes, const ServerOptions& options)
      : state{.routes = std::move(routes), .options = options} {}

  void Accept() {
    acceptor->async_accept(asio::make_strand(*io),
                           [this](const error_code& ec, tcp::socket socket) {
                             if (ec == asio::error::operation_aborted) return;  // stopping
                             if (ec) {
                               // Typically out of file descriptors: wait for connections to close
                               // instead of spinning.
                               accept_retry->expires_after(std::chrono::milliseconds(100));
                               accept_retry->async_wait([this](const error_code& wait_ec) {
                                 if (!wait_ec) Accept();
                               });
                               return;
                             }
                             Serve(std::move(socket));
                             Accept();
                           });
  }

  // Beyond the connection cap, or over TLS without credentials yet, `socket` closes here.
  void Serve(tcp::socket socket) {
    if (state.open_connections.load() >= state.options.max_connections) return;
    if (!state.options.tls) {
      std::make_shared<Session<PlainStream>>(std::move(socket), nullptr, state)->Start();
      return;
    }
    std::shared_ptr<asio::ssl::context> context = TlsAccess::Current(*state.options.tls);
    if (!context) return;
    std::make_shared<Session<TlsStream>>(std::move(socket), std::move(context), state)->Start();
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

  bool OnServerThread() const {
    return std::any_of(threads.begin(), threads.end(), [](const std::thread& t) {
      return t.get_id() == std::this_thread::get_id();
    });
  }

  ServerState state;
  std::unique_ptr<asio::io_context> io =
      std::make_unique<asio::io_context>(std::max(1, state.options.threads));
  std::unique_ptr<tcp::acceptor> acceptor = std::make_unique<tcp::acceptor>(*io);
  std::unique_ptr<asio::steady_timer> accept_retry = std::make_unique<asio::steady_timer>(*io);
  int port = 0;
  std::vector<std::thread> threads;
  std::mutex stop_mu;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(std::string_view address, Routes routes,
                                                      const ServerOptions& options) {
  CSP_TRY(const ListenAddress parsed, ParseListenAddress(address));
  const std::string context = "listen on \"" + std::string(address) + "\": ";
  if (options.threads < 1) return InvalidArgument(context + "threads must be at least 1");
  auto impl = std::make_unique<Impl>(std::move(routes), options);
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
  for (int i = 0; i < options.threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->Run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  std::lock_guard lock(impl_->stop_mu);
  if (!impl_->io) return;
  impl_->io->stop();
  // From a handler, joining would wait for this very thread: stop serving now, and leave the
  // join and the cleanup to a later Stop() (the destructor) on another thread.
  if (impl_->OnServerThread()) return;
  for (std::thread& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
  // Pending operations still hold the connections: destroying the io_context destroys them and
  // so closes every socket; the acceptor (which needs the io_context) goes first.
  impl_->accept_retry.reset();
  impl_->acceptor.reset();
  impl_->io.reset();
}

}  // namespace csp::serve
