// The WWW-Authenticate challenge of a 401 answer (RFC 7235): `Basic realm="..."` or
// `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace csp::registry {

struct Challenge {
  std::string scheme = {};                         // lower-case: "basic", "bearer"
  std::map<std::string, std::string> params = {};  // names lower-cased, values unquoted
  std::string Param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// The first challenge of the header. Parameter values are quoted strings (backslash escapes) or
// tokens; parameters of a second challenge, if any, are ignored. nullopt when there is no
// scheme or a parameter is malformed (an unterminated quote, a missing '=').
std::optional<Challenge> ParseChallenge(std::string_view header);

}  // namespace csp::registry
