#include "csp/agent/agent_log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>

namespace csp::agent {
namespace {

std::atomic<bool> json_format{false};

// RFC 8259 string literal.
std::string JsonString(std::string_view text) {
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

void Log(spdlog::level::level_enum level, std::string_view message, LogFields fields) {
  if (!spdlog::should_log(level)) return;
  spdlog::log(level, "{}", FormatLogBody(json_format.load(), message, fields));
}

}  // namespace

std::string FormatLogBody(bool json, std::string_view message, LogFields fields) {
  std::string line;
  if (json) {
    line = "\"msg\":" + JsonString(message);
    for (const auto& [key, value] : fields) line += "," + JsonString(key) + ":" + JsonString(value);
    return line;
  }
  line = std::string(message);
  for (const auto& [key, value] : fields) {
    line += " ";
    line += key;
    line += "=";
    const bool quote = value.empty() || value.find_first_of(" \"=\n\t\\") != std::string_view::npos;
    line += quote ? JsonString(value) : std::string(value);
  }
  return line;
}

Status SetUpAgentLog(std::string_view format) {
  if (format != "text" && format != "json") {
    return InvalidArgument("--log-format: \"" + std::string(format) + "\" is not text or json");
  }
  auto log = std::make_shared<spdlog::logger>("csp-agent",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
  json_format = format == "json";
  if (json_format) {
    log->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n",%v})",
                     spdlog::pattern_time_type::utc);
  } else {
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v", spdlog::pattern_time_type::utc);
  }
  log->set_level(spdlog::level::info);
  log->flush_on(spdlog::level::debug);
  spdlog::set_default_logger(log);
  return {};
}

void LogDebug(std::string_view m, LogFields f) { Log(spdlog::level::debug, m, f); }
void LogInfo(std::string_view m, LogFields f) { Log(spdlog::level::info, m, f); }
void LogWarn(std::string_view m, LogFields f) { Log(spdlog::level::warn, m, f); }
void LogError(std::string_view m, LogFields f) { Log(spdlog::level::err, m, f); }

}  // namespace csp::agent
