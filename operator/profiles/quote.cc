#include "csp/profiles/quote.h"

#include <nlohmann/json.hpp>

namespace csp::profiles {

std::string Quote(std::string_view text) {
  // dump() escapes control characters (NUL as \u0000); `replace` turns invalid UTF-8 into
  // U+FFFD instead of throwing.
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace csp::profiles
