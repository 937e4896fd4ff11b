// One accepted connection, plain or TLS: read a request, answer it, and again while the client
// keeps the connection alive. Private to csp_serve (http_server.cc creates sessions).
//
// Each session runs on its own strand, so its handlers never run concurrently with each other;
// it lives as long as one of its asynchronous operations holds it.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>

#include "csp/serve/http_server.h"
#include "respond.h"

namespace csp::serve {

// What every session of one server reads; it outlives the sessions (HttpServer::Stop destroys
// them before it).
struct ServerState {
  const Routes routes;
  const ServerOptions options;
  std::atomic<std::size_t> open_connections = 0;
};

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `context` is null for a plain session and the credentials of this connection for TLS.
  Session(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> context,
          ServerState& state)
      : context_(std::move(context)), stream_(MakeStream(std::move(socket))), state_(state) {
    ++state_.open_connections;
  }
  ~Session() { --state_.open_connections; }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Called once, from any thread: the session continues on its socket's strand.
  void Start() {
    boost::asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      // The first request, TLS handshake included, must arrive within one read_timeout.
      self->Tcp().expires_after(self->options().read_timeout);
      if constexpr (kTls) {
        self->stream_.async_handshake(boost::asio::ssl::stream_base::server,
                                      [self](const boost::system::error_code& ec) {
                                        if (ec) return self->Close();
                                        self->ReadRest();
                                      });
      } else {
        self->ReadRest();
      }
    });
  }

 private:
  using error_code = boost::system::error_code;
  static constexpr std::size_t kReadSize = 16 * 1024;  // a TLS record's worth

  Stream MakeStream(boost::asio::ip::tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *context_);
    } else {
      return Stream(std::move(socket));
    }
  }

  const ServerOptions& options() const { return state_.options; }

  boost::beast::tcp_stream& Tcp() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  void NewParser() {
    parser_.emplace();
    LimitParser(*parser_, options());
  }

  // After a response on a kept-alive connection: the next request may take idle_timeout to
  // start, and then read_timeout to arrive whole.
  void ReadNext() {
    NewParser();
    if (buffer_.size() > 0) {  // pipelined: the next request has started already
      Tcp().expires_after(options().read_timeout);
      return ReadRest();
    }
    Tcp().expires_after(options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadSize), [self = this->shared_from_this()](
                                                            const error_code& ec, std::size_t n) {
      if (ec) return self->Close();  // idle timeout, or the client closed the connection
      self->buffer_.commit(n);
      self->Tcp().expires_after(self->options().read_timeout);
      self->ReadRest();
    });
  }

  // Reads the rest of the request under the deadline already set.
  void ReadRest() {
    if (!parser_) NewParser();
    boost::beast::http::async_read(stream_, buffer_, *parser_,
                                   [self = this->shared_from_this()](const error_code& ec, auto) {
                                     if (ec) return self->OnReadFailed(ec);
                                     self->Answer();
                                   });
  }

  void OnReadFailed(const error_code& ec) {
    std::optional<BeastResponse> response = RespondToReadError(ec);
    if (!response) return Close();
    Write(*std::move(response));
  }

  void Answer() { Write(RespondTo(state_.routes, parser_->get())); }

  void Write(BeastResponse response) {
    response_ = std::move(response);
    parser_.reset();  // the request's body may be large; it is answered
    Tcp().expires_after(options().write_timeout);
    boost::beast::http::async_write(stream_, response_,
                                    [self = this->shared_from_this()](const error_code& ec, auto) {
                                      if (ec) return self->Close();
                                      if (self->response_.keep_alive()) return self->ReadNext();
                                      self->Shutdown();
                                    });
  }

  // Closing a socket with unread input resets the connection, and a reset can discard the
  // response before the client reads it. So the close lingers, within write_timeout: TLS sends
  // close_notify and reads until the client's; plain TCP sends FIN and reads until the client's.
  void Shutdown() {
    Tcp().expires_after(options().write_timeout);
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](const error_code&) { self->Close(); });
    } else {
      error_code ignored;
      Tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
      Drain();
    }
  }

  void Drain() {
    Tcp().async_read_some(boost::asio::buffer(drain_),
                          [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                            if (ec) return self->Close();
                            self->Drain();
                          });
  }

  void Close() { Tcp().close(); }

  const std::shared_ptr<boost::asio::ssl::context> context_;  // outlives stream_
  Stream stream_;
  ServerState& state_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  BeastResponse response_;
  std::array<char, 2048> drain_;
};

}  // namespace csp::serve
