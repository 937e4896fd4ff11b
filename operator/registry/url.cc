#include "csp/registry/url.h"

#include <algorithm>
#include <cctype>

namespace csp::registry {
namespace {

bool IsRequestLineSafe(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<Url> ParseUrl(std::string_view text) {
  const std::string quoted = "URL \"" + std::string(text.substr(0, 200)) + "\": ";
  Url url;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return InvalidArgument(quoted + "not absolute");
  const std::string scheme = Lower(text.substr(0, scheme_end));
  if (scheme != "https" && scheme != "http") {
    return InvalidArgument(quoted + "scheme is not http or https");
  }
  url.tls = scheme == "https";
  text.remove_prefix(scheme_end + 3);
  text = text.substr(0, text.find('#'));
  if (!IsRequestLineSafe(text)) return InvalidArgument(quoted + "contains spaces or controls");
  const std::size_t host_end = text.find_first_of("/?");
  url.host = Lower(text.substr(0, host_end));
  if (url.host.empty()) return InvalidArgument(quoted + "no host");
  if (url.host.find('@') != std::string::npos) return InvalidArgument(quoted + "has user info");
  if (host_end != std::string_view::npos) {
    url.target = std::string(text.substr(host_end));
    if (url.target.front() == '?') url.target.insert(0, "/");
  }
  return url;
}

Result<Url> ResolveLocation(const Url& base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) return ParseUrl(location);
  if (location.starts_with("//")) {
    return ParseUrl((base.tls ? "https:" : "http:") + std::string(location));
  }
  std::string target;
  if (location.starts_with("/")) {
    target = std::string(location);
  } else {
    const std::string path = base.target.substr(0, base.target.find('?'));
    target = path.substr(0, path.rfind('/') + 1) + std::string(location);
  }
  return ParseUrl((base.tls ? "https://" : "http://") + base.host + target);
}

std::string EncodeQueryValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

}  // namespace csp::registry
