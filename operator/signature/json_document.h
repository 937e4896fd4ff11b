// Private to csp::signature: the one way this library turns untrusted bytes into JSON.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::signature::internal {

// Nesting deeper than this is refused: the documents read here are at most 6 levels deep, and
// a bound keeps hostile input from exhausting the stack of nlohmann's recursive destructor.
inline constexpr int kMaxJsonDepth = 32;

// `bytes` as a JSON object. kInvalidArgument, prefixed by `what`, for more than `max_bytes`
// (naming the limit), nesting over kMaxJsonDepth, invalid JSON or another top-level type.
Result<nlohmann::json> ParseObject(std::string_view bytes, std::size_t max_bytes,
                                   std::string_view what);

// object[key] as a map of strings: absent is empty; another type, or a non-string value, is
// kInvalidArgument naming `what`.`key`.
Result<std::map<std::string, std::string>> StringMapAt(const nlohmann::json& object,
                                                       std::string_view key, std::string_view what);

}  // namespace csp::signature::internal
