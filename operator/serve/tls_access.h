// The server's view of TlsCredentials: the OpenSSL context for the next handshake. Private to
// csp_serve.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "csp/serve/tls_credentials.h"

namespace csp::serve {

struct TlsAccess {
  // The newest valid credentials; null before the first successful Update. A connection holds
  // its context for its whole life, so an Update never changes an established connection.
  static std::shared_ptr<boost::asio::ssl::context> Current(const TlsCredentials& credentials);
};

}  // namespace csp::serve
