// csp-agent's logs: one spdlog logger on stderr, `text` (logfmt-style fields) for people or
// `json` (one object per line) for log pipelines. Both carry the same fields.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "csp/common/result.h"

namespace csp::agent {

using LogFields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// `format`: text or json. Call once, before any thread logs. Until then logs go to stderr as
// text.
Status SetUpAgentLog(std::string_view format);

void LogDebug(std::string_view message, LogFields fields = {});
void LogInfo(std::string_view message, LogFields fields = {});
void LogWarn(std::string_view message, LogFields fields = {});
void LogError(std::string_view message, LogFields fields = {});

// One log line's body (without time and level): `message key=value ...` for text, or
// `"msg":"...","key":"value"` for json (the pattern adds the braces, time and level). Values
// are quoted when they need it.
std::string FormatLogBody(bool json, std::string_view message, LogFields fields);

}  // namespace csp::agent
