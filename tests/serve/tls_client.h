// Test helper: a TLS client on loopback over Asio's ssl::stream (OpenSSL), that verifies the
// server against the certificates it is told to trust and reports which one the server showed.
// Every operation is bounded by a 10 s guard, so that a broken server cannot hang the test; it
// is a guard, not an assertion.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace csp::serve::testing {

struct TlsClientOptions {
  std::vector<std::string> trusted_cert_pems = {};
  int min_version = TLS1_VERSION;
  int max_version = 0;            // 0: the highest OpenSSL knows (TLS 1.3)
  const char* ciphers = nullptr;  // TLS 1.2 cipher list; null for OpenSSL's default
};

class TlsClient {
 public:
  TlsClient(int port, const TlsClientOptions& options) : context_(MakeContext(options)) {
    namespace asio = boost::asio;
    using tcp = asio::ip::tcp;
    stream_.emplace(io_, context_);
    boost::system::error_code ec = Await([&](auto handler) {
      stream_->next_layer().async_connect(
          tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
          handler);
    });
    if (!ec) {
      ec = Await(
          [&](auto handler) { stream_->async_handshake(asio::ssl::stream_base::client, handler); });
    }
    handshake_error_ = ec;
  }

  // Empty when the handshake succeeded; else why it failed.
  std::string handshake_error() const {
    return handshake_error_ ? handshake_error_.message() : std::string();
  }
  bool connected() const { return !handshake_error_; }

  // The subject CN of the certificate the server presented; "" without a handshake.
  std::string PeerCommonName() {
    X509* cert = SSL_get0_peer_certificate(stream_->native_handle());
    if (!cert) return "";
    char cn[256] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    return cn;
  }

  // Sends `request` and reads one response (framed by its Content-Length); nullopt when the
  // exchange failed.
  std::optional<std::string> Exchange(const std::string& request) {
    namespace asio = boost::asio;
    if (!connected()) return std::nullopt;
    if (Await([&](auto handler) { asio::async_write(*stream_, asio::buffer(request), handler); })) {
      return std::nullopt;
    }
    std::string in;
    if (Await([&](auto handler) {
          asio::async_read_until(*stream_, asio::dynamic_buffer(in), "\r\n\r\n", handler);
        })) {
      return std::nullopt;
    }
    const std::size_t head_end = in.find("\r\n\r\n") + 4;
    std::size_t length = 0;
    if (const std::size_t at = in.find("Content-Length: "); at < head_end) {
      length = std::stoul(in.substr(at + 16));
    }
    if (in.size() < head_end + length) {
      const std::size_t missing = head_end + length - in.size();
      if (Await([&](auto handler) {
            asio::async_read(*stream_, asio::dynamic_buffer(in), asio::transfer_exactly(missing),
                             handler);
          })) {
        return std::nullopt;
      }
    }
    return in;
  }

 private:
  static boost::asio::ssl::context MakeContext(const TlsClientOptions& options) {
    boost::asio::ssl::context context(boost::asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(context.native_handle(), options.min_version);
    SSL_CTX_set_max_proto_version(context.native_handle(), options.max_version);
    if (options.min_version < TLS1_2_VERSION) {
      SSL_CTX_set_security_level(context.native_handle(), 0);  // lets OpenSSL 3 offer TLS 1.0
    }
    if (options.ciphers) SSL_CTX_set_cipher_list(context.native_handle(), options.ciphers);
    context.set_verify_mode(boost::asio::ssl::verify_peer);
    for (const std::string& pem : options.trusted_cert_pems) {
      boost::system::error_code ignored;  // a bad PEM only makes verification fail
      context.add_certificate_authority(boost::asio::buffer(pem), ignored);
    }
    return context;
  }

  // Starts one asynchronous operation and runs it to completion, or closes the socket when the
  // guard expires (the operation then fails).
  template <class Start>
  boost::system::error_code Await(Start start) {
    std::optional<boost::system::error_code> result;
    start([&](const boost::system::error_code& ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run_for(std::chrono::seconds(10));
    if (!result) {
      boost::system::error_code ignored;
      stream_->next_layer().close(ignored);
      io_.restart();
      io_.run();
    }
    return result.value_or(boost::asio::error::timed_out);
  }

  boost::asio::io_context io_;
  boost::asio::ssl::context context_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
  boost::system::error_code handshake_error_;
};

}  // namespace csp::serve::testing
