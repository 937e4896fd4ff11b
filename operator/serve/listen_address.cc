#include "csp/serve/listen_address.h"

#include <charconv>
#include <string>

namespace csp::serve {
namespace {

Error Malformed(std::string_view address, std::string_view reason) {
  return InvalidArgument("invalid listen address \"" + std::string(address) +
                         "\": " + std::string(reason) + " (want host:port, :port or [ipv6]:port)");
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view address) {
  if (address.empty()) return Malformed(address, "empty");
  ListenAddress parsed;
  std::string_view port;
  if (address.front() == '[') {
    const std::size_t close = address.find(']');
    if (close == std::string_view::npos) return Malformed(address, "missing ']'");
    parsed.host = std::string(address.substr(1, close - 1));
    if (parsed.host.empty()) return Malformed(address, "empty host in brackets");
    const std::string_view rest = address.substr(close + 1);
    if (rest.empty() || rest.front() != ':') return Malformed(address, "missing port");
    port = rest.substr(1);
  } else {
    const std::size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return Malformed(address, "missing port");
    const std::string_view host = address.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return Malformed(address, "an IPv6 host must be in brackets");
    }
    parsed.host = std::string(host);
    port = address.substr(colon + 1);
  }
  if (port.empty()) return Malformed(address, "missing port");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return Malformed(address, "port must be a number from 0 to 65535");
  }
  parsed.port = static_cast<std::uint16_t>(value);
  return parsed;
}

}  // namespace csp::serve
