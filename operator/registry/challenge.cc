#include "csp/registry/challenge.h"

#include <cctype>

namespace csp::registry {
namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~/:").find(c) != std::string_view::npos;
}

void SkipSpaces(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TakeToken(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && IsTokenChar(s[n])) ++n;
  std::string_view token = s.substr(0, n);
  s.remove_prefix(n);
  return token;
}

}  // namespace

std::optional<Challenge> ParseChallenge(std::string_view header) {
  SkipSpaces(header);
  Challenge challenge;
  challenge.scheme = Lower(TakeToken(header));
  if (challenge.scheme.empty()) return std::nullopt;
  while (true) {
    SkipSpaces(header);
    while (!header.empty() && header.front() == ',') {
      header.remove_prefix(1);
      SkipSpaces(header);
    }
    if (header.empty()) return challenge;
    const std::string name = Lower(TakeToken(header));
    SkipSpaces(header);
    if (name.empty()) return std::nullopt;
    if (header.empty() || header.front() != '=') {
      // "Bearer realm=..., Basic realm=...": a second scheme starts; this challenge is done.
      return challenge.params.empty() ? std::nullopt : std::optional(challenge);
    }
    header.remove_prefix(1);
    SkipSpaces(header);
    std::string value;
    if (!header.empty() && header.front() == '"') {
      header.remove_prefix(1);
      bool closed = false;
      while (!header.empty()) {
        char c = header.front();
        header.remove_prefix(1);
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && !header.empty()) {
          c = header.front();
          header.remove_prefix(1);
        }
        value += c;
      }
      if (!closed) return std::nullopt;
    } else {
      value = std::string(TakeToken(header));
    }
    challenge.params.emplace(name, std::move(value));
  }
}

}  // namespace csp::registry
