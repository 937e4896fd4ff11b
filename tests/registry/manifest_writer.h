// Test support: pushes manifests by digest over one keep-alive HTTP connection, for tests that
// need thousands of them (crane starts one process per manifest). Plain HTTP, no auth.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace csp::registry::testing {

// PUT /v2/<repository>/manifests/<sha256 of each manifest> with Content-Type `media_type`, to
// `host` ("127.0.0.1:port"). "" when every one was created (2xx), else the first failure.
std::string PutManifests(const std::string& host, std::string_view repository,
                         std::span<const std::string> manifests, std::string_view media_type);

}  // namespace csp::registry::testing
