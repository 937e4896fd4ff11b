// Parsing of a listen address flag: "host:port", ":port" or "[v6addr]:port".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::serve {

struct ListenAddress {
  std::string host = {};  // empty: all interfaces; brackets of an IPv6 literal removed
  std::uint16_t port = 0;
};

// kInvalidArgument naming `address` and what is wrong with it. The host is not resolved here.
Result<ListenAddress> ParseListenAddress(std::string_view address);

}  // namespace csp::serve
