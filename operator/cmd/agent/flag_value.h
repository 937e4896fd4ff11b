// The flag syntax of csp-agent's commands: "--flag value", "--flag=value", "-f value".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace csp::agent::cmd {

struct FlagArg {
  std::string flag = {};                    // "--flag" or "-f"
  std::optional<std::string> inline_value;  // after "=", for "--flag=value"
};

inline FlagArg SplitFlag(const std::string& arg) {
  const std::size_t eq = arg.find('=');
  if (!arg.starts_with("--") || eq == std::string::npos) return {.flag = arg, .inline_value = {}};
  return {.flag = arg.substr(0, eq), .inline_value = arg.substr(eq + 1)};
}

// The flag's value: the inline one, or the next argument (and `i` moves past it); nullopt when
// there is none.
inline std::optional<std::string> TakeValue(const FlagArg& arg,
                                            const std::vector<std::string>& args, std::size_t& i) {
  if (arg.inline_value) return arg.inline_value;
  if (i + 1 >= args.size()) return std::nullopt;
  return args[++i];
}

}  // namespace csp::agent::cmd
