#include "csp/serve/metrics_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace csp::serve {
namespace {

// Label values escape backslash, double quote and newline; HELP text escapes only the first
// and last (exposition format 0.0.4).
void AppendEscaped(std::string& out, std::string_view value, bool escape_quote) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::to_chars_result result;
  // 2^63 bounds the int64 conversion; every double of that size is an integer anyway.
  if (value == std::trunc(value) && value >= -0x1p63 && value < 0x1p63) {
    result = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(value));
  } else {
    result = std::to_chars(buf, buf + sizeof buf, value);  // shortest exact round trip
  }
  return std::string(buf, result.ptr);
}

void MetricsText::Family(std::string_view name, std::string_view type, std::string_view help) {
  if (!families_.emplace(name).second) return;
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  AppendEscaped(text_, help, /*escape_quote=*/false);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void MetricsText::Sample(std::string_view name, const Labels& labels, double value) {
  text_ += name;
  if (!labels.empty()) {
    text_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) text_ += ',';
      text_ += labels[i].first;
      text_ += "=\"";
      AppendEscaped(text_, labels[i].second, /*escape_quote=*/true);
      text_ += '"';
    }
    text_ += '}';
  }
  text_ += ' ';
  text_ += FormatValue(value);
  text_ += '\n';
}

std::string MetricsText::Take() {
  std::string out = std::move(text_);
  text_.clear();
  families_.clear();
  return out;
}

}  // namespace csp::serve
