// The certificate and key an HttpServer presents over TLS, replaceable while it serves.
#pragma once

#include <memory>
#include <string_view>

#include "csp/common/result.h"

namespace csp::serve {

// Thread-safe. New TLS handshakes use the newest valid credentials; connections already
// established keep the ones they started with, so a rotation fails no request. Until the first
// successful Update the server closes every new connection (the handshake fails), never crashes.
class TlsCredentials {
 public:
  TlsCredentials();
  ~TlsCredentials();
  TlsCredentials(const TlsCredentials&) = delete;
  TlsCredentials& operator=(const TlsCredentials&) = delete;

  // PEM: the serving certificate first, then any intermediates; an unencrypted private key.
  // kInvalidArgument (with OpenSSL's reason) when either does not parse or the key does not
  // match the certificate; the previous credentials then stay in use.
  Status Update(std::string_view cert_chain_pem, std::string_view private_key_pem);

  // True once an Update succeeded.
  bool Ready() const;

 private:
  friend struct TlsAccess;  // the server's private access to the current OpenSSL context
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csp::serve
