// Compose's variable interpolation (the Compose specification, "Interpolation").
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::docker {

// A variable's value, or nullopt when it is unset.
using Lookup = std::function<std::optional<std::string>(std::string_view)>;

// Replaces `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
// `${VAR?message}`, `${VAR:+replacement}`, `${VAR+replacement}` and `$$`. Defaults and
// replacements are interpolated themselves (`${A:-${B}}`). A variable that is unset without a
// default, a `?` form that fires, and an unterminated `${` are InvalidArgument errors naming the
// variable.
Result<std::string> Interpolate(std::string_view text, const Lookup& lookup);

// `KEY=VALUE` lines of an --env-file: blank lines and `#` comments skipped, an optional
// `export ` prefix, values optionally in single or double quotes. A line without `=` is an
// error naming its line.
Result<std::map<std::string, std::string, std::less<>>> ParseEnvFile(std::string_view text);

}  // namespace csp::docker
