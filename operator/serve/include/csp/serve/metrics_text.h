// Prometheus text exposition format 0.0.4, written by hand: families, samples, escaping.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csp::serve {

using Labels = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// A sample value as Prometheus spells it: integers (up to 2^63 in magnitude) without exponent or
// decimal point, other finite values in the shortest form that reads back exactly, and "NaN",
// "+Inf", "-Inf". Negative zero prints as "0".
std::string FormatValue(double value);

// Builds one exposition. Callers write each family's samples right after its Family line, as the
// format requires; names and label names must already be valid ([a-zA-Z_:][a-zA-Z0-9_:]*).
class MetricsText {
 public:
  // "# HELP name help" (backslash and newline escaped) and "# TYPE name type" (counter, gauge,
  // histogram). Written once per family: a repeated name is ignored.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // "name{k="v",...} value"; label values escaped (\\, \", \n); no braces when labels are empty.
  void Sample(std::string_view name, const Labels& labels, double value);
  const std::string& text() const { return text_; }
  // Returns the text and starts a new, empty exposition.
  std::string Take();

 private:
  std::string text_;
  std::set<std::string, std::less<>> families_;
};

}  // namespace csp::serve
