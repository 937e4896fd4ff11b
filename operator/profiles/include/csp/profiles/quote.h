// Quoting for error messages: names and values come from users and may hold anything.
#pragma once

#include <string>
#include <string_view>

namespace csp::profiles {

// `text` as a JSON string literal: quoted, with control characters, NUL and invalid UTF-8
// escaped or replaced, so that a message shows exactly what was wrong and stays one line.
std::string Quote(std::string_view text);

// "a, b, c".
std::string JoinComma(const auto& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace csp::profiles
