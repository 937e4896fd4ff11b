// POSIX shell word splitting, enough for a pasted `docker run` line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"

namespace csp::docker {

// Splits at unquoted blanks; single quotes keep everything literally, double quotes keep all but
// `\"`, `\\`, `\$` and `` \` `` escapes, a backslash outside quotes escapes the next character and
// a backslash-newline joins lines. No expansion happens (`$HOME` stays as written). An
// unterminated quote is an InvalidArgument error.
Result<std::vector<std::string>> SplitShellWords(std::string_view line);

}  // namespace csp::docker
