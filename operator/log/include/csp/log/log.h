// Structured logs on stderr through spdlog, shared by csp-operator and csp-agent: `text`
// (logfmt-style fields) for people, `json` (one object per line) for log pipelines. Fields are
// key/value pairs so that both formats carry the same data.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "csp/common/result.h"

namespace csp {

using LogFields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// `format`: text or json; `level`: debug, info, warn or error; `logger`: the program's name.
// Call once, before any thread logs. Until then logs go to stderr as text.
Status SetUpLogging(std::string_view format, std::string_view level, std::string_view logger);

void LogDebug(std::string_view message, LogFields fields = {});
void LogInfo(std::string_view message, LogFields fields = {});
void LogWarn(std::string_view message, LogFields fields = {});
void LogError(std::string_view message, LogFields fields = {});

// One line's body without time and level: `message key=value ...` for text (values quoted when
// they need it), or `"msg":"...","key":"value"` for json (the pattern adds braces, time, level).
std::string FormatLogBody(bool json, std::string_view message, LogFields fields);

// A JSON string literal of `text` (quotes included), escaped per RFC 8259.
std::string JsonQuote(std::string_view text);

}  // namespace csp
