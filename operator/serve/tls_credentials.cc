#include "csp/serve/tls_credentials.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <mutex>
#include <string>

#include "tls_access.h"

namespace csp::serve {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites of Mozilla's "intermediate" configuration without DHE (no DH parameters to
// manage): forward secrecy and AEAD only. TLS 1.3 keeps OpenSSL's default suites, all strong.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Error Invalid(std::string what, const boost::system::error_code& ec) {
  return InvalidArgument("TLS credentials: " + what + ": " + ec.message());
}

// The first OpenSSL error of this thread, and the queue emptied.
std::string TakeOpenSslError() {
  char text[256] = "unknown OpenSSL error";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    ERR_error_string_n(code, text, sizeof text);
  }
  ERR_clear_error();
  return text;
}

Result<std::shared_ptr<ssl::context>> MakeContext(std::string_view cert_chain_pem,
                                                  std::string_view private_key_pem) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Error{Code::kInternal, "TLS context: " + TakeOpenSslError()};
  }
  // No compression (CRIME), no renegotiation (a client-driven CPU cost), a fresh ECDH key per
  // handshake.
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use | SSL_OP_NO_RENEGOTIATION);
  // Without a callback OpenSSL would prompt on the terminal for an encrypted key; an encrypted
  // key is refused instead.
  context->set_password_callback(
      [](std::size_t, ssl::context::password_purpose) { return std::string(); });
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(cert_chain_pem), ec);
  if (ec) return Invalid("certificate chain", ec);
  context->use_private_key(boost::asio::buffer(private_key_pem), ssl::context::pem, ec);
  if (ec) return Invalid("private key", ec);
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("TLS credentials: the private key does not match the certificate: " +
                           TakeOpenSslError());
  }
  return context;
}

}  // namespace

struct TlsCredentials::Impl {
  mutable std::mutex mu;
  std::shared_ptr<ssl::context> current;  // guarded by mu
};

TlsCredentials::TlsCredentials() : impl_(std::make_unique<Impl>()) {}

TlsCredentials::~TlsCredentials() = default;

Status TlsCredentials::Update(std::string_view cert_chain_pem, std::string_view private_key_pem) {
  CSP_TRY(std::shared_ptr<ssl::context> context, MakeContext(cert_chain_pem, private_key_pem));
  std::lock_guard lock(impl_->mu);
  impl_->current = std::move(context);
  return {};
}

bool TlsCredentials::Ready() const {
  std::lock_guard lock(impl_->mu);
  return impl_->current != nullptr;
}

std::shared_ptr<ssl::context> TlsAccess::Current(const TlsCredentials& credentials) {
  std::lock_guard lock(credentials.impl_->mu);
  return credentials.impl_->current;
}

}  // namespace csp::serve
