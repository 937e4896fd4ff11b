// Structured logs on stderr through spdlog: `text` for people, `json` (one object per line)
// for log pipelines. Fields are key/value pairs so that both formats carry the same data.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "csp/common/result.h"

namespace csp::manager {

using LogFields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// `format` is text or json; `level` debug, info, warn or error. Call once, before logging.
Status SetUpLogging(std::string_view format, std::string_view level, std::string_view logger);

void LogDebug(std::string_view message, LogFields fields = {});
void LogInfo(std::string_view message, LogFields fields = {});
void LogWarn(std::string_view message, LogFields fields = {});
void LogError(std::string_view message, LogFields fields = {});

// A JSON string literal of `text` (quotes included), escaped per RFC 8259.
std::string JsonQuote(std::string_view text);

}  // namespace csp::manager
