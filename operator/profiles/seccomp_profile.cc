#include "csp/profiles/seccomp_profile.h"

#include <array>

#include "csp/profiles/quote.h"
#include "csp/profiles/seccomp_vocabulary.h"
#include "json_fields.h"

namespace csp::profiles {
namespace {

using internal::At;
using internal::AtIndex;
using internal::FieldError;

constexpr unsigned kMaxArgIndex = 5;  // syscalls take at most six arguments

Result<std::string> GetEnum(const nlohmann::json& value, const std::string& path,
                            std::span<const std::string_view> allowed, std::string_view what) {
  CSP_TRY(std::string name, internal::GetString(value, path));
  if (!Contains(allowed, name)) {
    return FieldError(path, Quote(name) + " is not " + std::string(what) + " (one of " +
                                JoinComma(allowed) + ")");
  }
  return name;
}

// errnoRet and defaultErrnoRet: an errno, and only for actions that return one.
Result<unsigned> GetErrno(const nlohmann::json& value, const std::string& path,
                          const std::string& action) {
  CSP_TRY(std::uint64_t number, internal::GetUnsigned(value, path));
  if (number > kMaxErrno) {
    return FieldError(
        path, std::to_string(number) + " is not an errno (0.." + std::to_string(kMaxErrno) + ")");
  }
  if (!ActionTakesErrno(action)) {
    return FieldError(path, "applies only to SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not " + action);
  }
  return static_cast<unsigned>(number);
}

bool IsSyscallNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

Status CheckSyscallName(const std::string& name, const std::string& path) {
  if (name.empty()) return FieldError(path, "must not be empty");
  if (name.size() > kMaxSyscallNameBytes) {
    return FieldError(
        path, Quote(name) + " is longer than " + std::to_string(kMaxSyscallNameBytes) + " bytes");
  }
  for (char c : name) {
    if (!IsSyscallNameChar(c)) {
      return FieldError(
          path, Quote(name) + " is not a syscall name (lower-case letters, digits and '_')");
    }
  }
  return {};
}

Result<SeccompArg> ParseArg(const nlohmann::json& arg, const std::string& path) {
  if (Status s = internal::CheckObject(arg, path, {"index", "value", "valueTwo", "op"}); !s) {
    return s.error();
  }
  SeccompArg out;
  if (!arg.contains("index")) return FieldError(At(path, "index"), "is required");
  CSP_TRY(std::uint64_t index, internal::GetUnsigned(arg["index"], At(path, "index")));
  if (index > kMaxArgIndex) {
    return FieldError(At(path, "index"),
                      std::to_string(index) + " is not an argument index (0..5)");
  }
  out.index = static_cast<unsigned>(index);
  if (!arg.contains("value")) return FieldError(At(path, "value"), "is required");
  CSP_TRY(out.value, internal::GetUnsigned(arg["value"], At(path, "value")));
  if (arg.contains("valueTwo")) {
    CSP_TRY(out.value_two, internal::GetUnsigned(arg["valueTwo"], At(path, "valueTwo")));
  }
  if (!arg.contains("op")) return FieldError(At(path, "op"), "is required");
  CSP_TRY(out.op, GetEnum(arg["op"], At(path, "op"), SeccompOperators(), "a seccomp operator"));
  return out;
}

}  // namespace

Result<SeccompRule> ParseSeccompRule(const nlohmann::json& rule, const std::string& path) {
  if (Status s = internal::CheckObject(rule, path, {"names", "action", "errnoRet", "args"}); !s) {
    return s.error();
  }
  SeccompRule out;
  if (!rule.contains("names")) return FieldError(At(path, "names"), "is required");
  CSP_TRY(out.names,
          internal::GetStringList(rule["names"], At(path, "names"), kMaxSeccompNamesPerRule));
  if (out.names.empty()) return FieldError(At(path, "names"), "must name at least one syscall");
  for (std::size_t i = 0; i < out.names.size(); ++i) {
    if (Status s = CheckSyscallName(out.names[i], AtIndex(At(path, "names"), i)); !s) {
      return s.error();
    }
  }
  if (!rule.contains("action")) return FieldError(At(path, "action"), "is required");
  CSP_TRY(out.action,
          GetEnum(rule["action"], At(path, "action"), SeccompActions(), "a seccomp action"));
  if (rule.contains("errnoRet")) {
    CSP_TRY(out.errno_ret, GetErrno(rule["errnoRet"], At(path, "errnoRet"), out.action));
  }
  if (rule.contains("args")) {
    const nlohmann::json& args = rule["args"];
    const std::string args_path = At(path, "args");
    if (!args.is_array()) {
      return FieldError(args_path, "must be a list, not " + internal::TypeName(args));
    }
    std::array<int, kMaxArgIndex + 1> seen_at;
    seen_at.fill(-1);
    for (std::size_t i = 0; i < args.size(); ++i) {
      CSP_TRY(SeccompArg arg, ParseArg(args[i], AtIndex(args_path, i)));
      // libseccomp refuses two comparisons of one argument in a rule, and the container
      // would fail to start; say so here.
      if (seen_at[arg.index] >= 0) {
        return FieldError(At(AtIndex(args_path, i), "index"),
                          "argument " + std::to_string(arg.index) + " is already compared in " +
                              AtIndex(args_path, seen_at[arg.index]) +
                              "; a rule compares each argument at most once (use two rules)");
      }
      seen_at[arg.index] = static_cast<int>(i);
      out.args.push_back(std::move(arg));
    }
  }
  return out;
}

Result<SeccompProfile> ParseSeccompProfile(const nlohmann::json& body, const std::string& path) {
  if (Status s = internal::CheckObject(
          body, path, {"defaultAction", "defaultErrnoRet", "architectures", "syscalls"});
      !s) {
    return s.error();
  }
  SeccompProfile out;
  if (!body.contains("defaultAction")) {
    return FieldError(At(path, "defaultAction"), "is required");
  }
  CSP_TRY(out.default_action, GetEnum(body["defaultAction"], At(path, "defaultAction"),
                                      SeccompActions(), "a seccomp action"));
  if (body.contains("defaultErrnoRet")) {
    CSP_TRY(out.default_errno_ret,
            GetErrno(body["defaultErrnoRet"], At(path, "defaultErrnoRet"), out.default_action));
  }
  if (body.contains("architectures")) {
    const std::string arch_path = At(path, "architectures");
    CSP_TRY(out.architectures, internal::GetStringList(body["architectures"], arch_path,
                                                       SeccompArchitectures().size()));
    for (std::size_t i = 0; i < out.architectures.size(); ++i) {
      const std::string& arch = out.architectures[i];
      if (!Contains(SeccompArchitectures(), arch)) {
        return FieldError(AtIndex(arch_path, i), Quote(arch) +
                                                     " is not a seccomp architecture (one of " +
                                                     JoinComma(SeccompArchitectures()) + ")");
      }
      for (std::size_t j = 0; j < i; ++j) {
        if (out.architectures[j] == arch) {
          return FieldError(AtIndex(arch_path, i), Quote(arch) + " is listed twice");
        }
      }
    }
  }
  if (body.contains("syscalls")) {
    const nlohmann::json& rules = body["syscalls"];
    const std::string rules_path = At(path, "syscalls");
    if (!rules.is_array()) {
      return FieldError(rules_path, "must be a list, not " + internal::TypeName(rules));
    }
    if (rules.size() > kMaxSeccompRules) {
      return FieldError(rules_path, "has " + std::to_string(rules.size()) + " rules; at most " +
                                        std::to_string(kMaxSeccompRules) + " are allowed");
    }
    for (std::size_t i = 0; i < rules.size(); ++i) {
      CSP_TRY(SeccompRule rule, ParseSeccompRule(rules[i], AtIndex(rules_path, i)));
      out.syscalls.push_back(std::move(rule));
    }
  }
  return out;
}

std::string SeccompProfileToJson(const SeccompProfile& profile) {
  nlohmann::ordered_json out;
  out["defaultAction"] = profile.default_action;
  if (profile.default_errno_ret) out["defaultErrnoRet"] = *profile.default_errno_ret;
  if (!profile.architectures.empty()) out["architectures"] = profile.architectures;
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const SeccompRule& rule : profile.syscalls) {
    nlohmann::ordered_json entry;
    entry["names"] = rule.names;
    entry["action"] = rule.action;
    if (rule.errno_ret) entry["errnoRet"] = *rule.errno_ret;
    if (!rule.args.empty()) {
      nlohmann::ordered_json args = nlohmann::ordered_json::array();
      for (const SeccompArg& arg : rule.args) {
        args.push_back({{"index", arg.index},
                        {"value", arg.value},
                        {"valueTwo", arg.value_two},
                        {"op", arg.op}});
      }
      entry["args"] = std::move(args);
    }
    rules.push_back(std::move(entry));
  }
  out["syscalls"] = std::move(rules);
  return out.dump(2) + "\n";
}

}  // namespace csp::profiles
