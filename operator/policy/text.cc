#include "csp/policy/text.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace csp::policy {

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative wildcard match with single backtrack point: linear in practice, no recursion.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool IsAbsolutePath(std::string_view path) { return !path.empty() && path.front() == '/'; }

std::string NormalizePath(std::string_view path) {
  const bool absolute = IsAbsolutePath(path);
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    if (seg.empty() || seg == ".") {
      // skip
    } else if (seg == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(seg);  // a relative path keeps leading '..' (it fails rule 7 anyway)
      }
    } else {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string out = absolute ? "/" : "";
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '/';
    out += parts[k];
  }
  return out;
}

bool PathHasPrefix(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return IsAbsolutePath(path);
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

std::string NormalizeCapability(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (out.size() > 4 && out.compare(0, 4, "CAP_") == 0) out.erase(0, 4);
  return out;
}

bool IsCapabilityName(std::string_view name) {
  std::string n = NormalizeCapability(name);
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsRegistryHost(std::string_view component) {
  return component.find('.') != std::string_view::npos ||
         component.find(':') != std::string_view::npos || component == "localhost";
}

// Splits "host/path" the way the image normalization does, for both images and prefixes.
void SplitHostPath(std::string_view ref, std::string& host, std::string& path) {
  std::size_t slash = ref.find('/');
  if (slash != std::string_view::npos && IsRegistryHost(ref.substr(0, slash))) {
    host = Lower(ref.substr(0, slash));
    path = std::string(ref.substr(slash + 1));
  } else {
    host = "docker.io";
    path = std::string(ref);
  }
  if (host == "index.docker.io" || host == "registry-1.docker.io") host = "docker.io";
  if (host == "docker.io" && !path.empty() && path.find('/') == std::string::npos) {
    path = "library/" + path;
  }
}

}  // namespace

ImageRef ParseImageRef(std::string_view image) {
  ImageRef ref;
  std::size_t at = image.find('@');
  std::string_view name = image.substr(0, at);
  if (at != std::string_view::npos) ref.digest = std::string(image.substr(at + 1));
  // A tag is after the last ':' that follows the last '/' (a ':' before it is a port).
  std::size_t last_slash = name.rfind('/');
  std::size_t colon = name.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
  }
  SplitHostPath(name, ref.host, ref.path);
  return ref;
}

bool IsValidDigest(std::string_view digest) {
  constexpr std::string_view kAlg = "sha256:";
  if (digest.size() != kAlg.size() + 64 || digest.substr(0, kAlg.size()) != kAlg) return false;
  return std::all_of(digest.begin() + kAlg.size(), digest.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string NormalizeRegistryPrefix(std::string_view entry) {
  // Like an image's host/path, but a prefix gains no "library/": "docker.io/bitnami" allows
  // "bitnami/redis", and "docker.io/library" allows "nginx".
  while (!entry.empty() && entry.back() == '/') entry.remove_suffix(1);
  std::size_t slash = entry.find('/');
  std::string host, path;
  if (slash == std::string_view::npos) {
    if (!IsRegistryHost(entry)) return "docker.io/" + std::string(entry);  // a Hub namespace
    host = Lower(entry);
  } else if (IsRegistryHost(entry.substr(0, slash))) {
    host = Lower(entry.substr(0, slash));
    path = std::string(entry.substr(slash + 1));
  } else {
    host = "docker.io";
    path = std::string(entry);
  }
  if (host == "index.docker.io" || host == "registry-1.docker.io") host = "docker.io";
  return path.empty() ? host : host + "/" + path;
}

bool RegistryAllows(std::string_view prefix, const ImageRef& image) {
  std::string full = image.host + "/" + image.path;
  if (full == prefix) return true;
  return full.size() > prefix.size() && full.compare(0, prefix.size(), prefix) == 0 &&
         full[prefix.size()] == '/';
}

}  // namespace csp::policy
