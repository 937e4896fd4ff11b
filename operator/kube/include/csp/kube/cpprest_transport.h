// The HttpTransport over cpprestsdk (Boost.Asio + OpenSSL). cpprestsdk is in maintenance mode:
// this factory is its only entry point, and no header of ours includes it.
#pragma once

#include <memory>

#include "csp/common/result.h"
#include "csp/kube/rest_config.h"
#include "csp/kube/transport.h"

namespace csp::kube {

// Validates the TLS material in `config` (PEM parse, key matches certificate) and returns a
// transport for config.server (https, or http for loopback tests). Authentication headers are
// the client's job; this only sets up TLS. Errors name the offending field.
Result<std::unique_ptr<HttpTransport>> NewCpprestTransport(const RestConfig& config);

}  // namespace csp::kube
