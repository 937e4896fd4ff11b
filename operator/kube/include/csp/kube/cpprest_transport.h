// The HttpTransport over cpprestsdk (Boost.Asio + OpenSSL). cpprestsdk is in maintenance mode:
// this factory is its only entry point, and no header of ours includes it.
#pragma once

#include <cstddef>
#include <memory>

#include "csp/common/result.h"
#include "csp/kube/rest_config.h"
#include "csp/kube/transport.h"

namespace csp::kube {

// Validates the TLS material in `config` (PEM parse, key matches certificate) and returns a
// transport for config.server (https, or http for loopback tests). Authentication headers are
// the client's job; this only sets up TLS. Errors name the offending field.
Result<std::unique_ptr<HttpTransport>> NewCpprestTransport(const RestConfig& config);

// Sizes cpprestsdk's shared I/O thread pool, which otherwise starts 40 threads (each with its
// stack and, once it allocates, a malloc arena). Its threads only run I/O completions: every
// blocking wait of ours is on a thread of our own, so a few suffice. Call before the first
// transport exists; once the pool is running it cannot be resized and this fails.
Status SetTransportThreads(std::size_t threads);

}  // namespace csp::kube
