#include "csp/log/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>

namespace csp {
namespace {

std::atomic<bool> json_format{false};

void Log(spdlog::level::level_enum level, std::string_view message, LogFields fields) {
  if (!spdlog::should_log(level)) return;
  spdlog::log(level, "{}", FormatLogBody(json_format.load(), message, fields));
}

}  // namespace

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string FormatLogBody(bool json, std::string_view message, LogFields fields) {
  std::string line;
  if (json) {
    line = "\"msg\":" + JsonQuote(message);
    for (const auto& [key, value] : fields) line += "," + JsonQuote(key) + ":" + JsonQuote(value);
    return line;
  }
  line = std::string(message);
  for (const auto& [key, value] : fields) {
    line += " ";
    line += key;
    line += "=";
    const bool quote = value.empty() || value.find_first_of(" \"=\n\t\\") != std::string_view::npos;
    line += quote ? JsonQuote(value) : std::string(value);
  }
  return line;
}

Status SetUpLogging(std::string_view format, std::string_view level, std::string_view logger) {
  if (format != "text" && format != "json") {
    return InvalidArgument("--log-format: \"" + std::string(format) + "\" is not text or json");
  }
  const auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidArgument("--log-level: \"" + std::string(level) + "\" is not known");
  }
  auto log = std::make_shared<spdlog::logger>(std::string(logger),
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
  json_format = format == "json";
  if (json_format) {
    log->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n",%v})",
                     spdlog::pattern_time_type::utc);
  } else {
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v", spdlog::pattern_time_type::utc);
  }
  log->set_level(parsed);
  log->flush_on(spdlog::level::info);
  spdlog::set_default_logger(log);
  return {};
}

void LogDebug(std::string_view m, LogFields f) { Log(spdlog::level::debug, m, f); }
void LogInfo(std::string_view m, LogFields f) { Log(spdlog::level::info, m, f); }
void LogWarn(std::string_view m, LogFields f) { Log(spdlog::level::warn, m, f); }
void LogError(std::string_view m, LogFields f) { Log(spdlog::level::err, m, f); }

}  // namespace csp
