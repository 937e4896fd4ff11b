#include "csp/record/recorded_profile.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "csp/names/names.h"

namespace csp::record {
namespace {

constexpr std::string_view kAllow = "SCMP_ACT_ALLOW";
constexpr std::string_view kErrno = "SCMP_ACT_ERRNO";
constexpr unsigned kEperm = 1;
constexpr std::size_t kColumns = 100;

profiles::SecurityProfile AllowList(const std::string& name, const std::set<std::string>& names,
                                    std::vector<std::string> architectures) {
  profiles::SeccompProfile seccomp{.default_action = std::string(kErrno),
                                   .default_errno_ret = kEperm,
                                   .architectures = std::move(architectures)};
  seccomp.syscalls.push_back(
      {.names = {names.begin(), names.end()}, .action = std::string(kAllow)});
  return {.name = name, .kind = profiles::ProfileKind::kSeccomp, .seccomp = std::move(seccomp)};
}

// Appends `items` as a YAML flow list wrapped at kColumns, continuation lines at `indent`.
void FlowList(std::ostringstream& out, std::string_view key, const std::vector<std::string>& items,
              std::size_t indent) {
  const std::string lead(indent, ' ');
  std::string line = lead + std::string(key) + ": [";
  if (items.empty()) {
    out << line << "]\n";
    return;
  }
  out << line << "\n";
  line = lead + "  ";
  for (const std::string& item : items) {
    if (line.size() + item.size() + 1 > kColumns && line.size() > indent + 2) {
      out << line.substr(0, line.find_last_not_of(' ') + 1) << "\n";
      line = lead + "  ";
    }
    line += item + ", ";
  }
  out << line.substr(0, line.find_last_not_of(' ') + 1) << "\n" << lead << "]\n";
}

}  // namespace

profiles::SecurityProfile BuildRecordedProfile(const SyscallNames& seen,
                                               const RecordedProfileOptions& options) {
  std::set<std::string> names = AllNames(seen);
  names.insert(std::begin(kNotNotifiable), std::end(kNotNotifiable));
  names.insert(std::begin(kRuntimeNeeds), std::end(kRuntimeNeeds));
  std::vector<std::string> architectures = options.architectures;
  if (architectures.empty()) {
    for (const auto& [arch, unused] : seen) architectures.push_back(arch);
  }
  return AllowList(options.name, names, std::move(architectures));
}

Result<profiles::SecurityProfile> MergeRecordedProfiles(
    const std::vector<profiles::SecurityProfile>& recorded, const std::string& name) {
  if (recorded.empty()) return InvalidArgument("no profiles to merge");
  std::set<std::string> names;
  std::vector<std::string> architectures;
  for (const profiles::SecurityProfile& profile : recorded) {
    const std::string what = "SecurityProfile " + profile.name;
    if (profile.kind != profiles::ProfileKind::kSeccomp || !profile.seccomp) {
      return InvalidArgument(what + " is not a Seccomp profile");
    }
    if (profile.seccomp->default_action != kErrno) {
      return InvalidArgument(what + ": defaultAction is " + profile.seccomp->default_action +
                             ", not " + std::string(kErrno) + " as in a recorded profile");
    }
    for (std::size_t i = 0; i < profile.seccomp->syscalls.size(); ++i) {
      const profiles::SeccompRule& rule = profile.seccomp->syscalls[i];
      if (rule.action != kAllow || !rule.args.empty()) {
        return InvalidArgument(what + ": spec.seccomp.syscalls[" + std::to_string(i) +
                               "] is not a plain SCMP_ACT_ALLOW rule without args, as in a "
                               "recorded profile");
      }
      names.insert(rule.names.begin(), rule.names.end());
    }
    for (const std::string& arch : profile.seccomp->architectures) {
      if (std::find(architectures.begin(), architectures.end(), arch) == architectures.end()) {
        architectures.push_back(arch);
      }
    }
  }
  return AllowList(name.empty() ? recorded.front().name : name, names, std::move(architectures));
}

std::string SecurityProfileYaml(const profiles::SecurityProfile& profile,
                                std::string_view comment) {
  std::ostringstream out;
  std::istringstream lines{std::string(comment)};
  for (std::string line; std::getline(lines, line);) {
    out << (line.empty() ? "#" : "# " + line) << "\n";
  }
  out << "apiVersion: " << names::kApiVersion << "\n"
      << "kind: " << names::kSecurityProfiles.kind << "\n"
      << "metadata:\n  name: " << profile.name << "\n"
      << "spec:\n  type: " << profiles::ProfileKindName(profile.kind) << "\n";
  if (!profile.node_selector.empty()) {
    out << "  nodeSelector:\n";
    for (const auto& [key, value] : profile.node_selector) {
      out << "    " << key << ": \"" << value << "\"\n";
    }
  }
  if (!profile.seccomp) return out.str();
  const profiles::SeccompProfile& seccomp = *profile.seccomp;
  out << "  seccomp:\n    defaultAction: " << seccomp.default_action << "\n";
  if (seccomp.default_errno_ret)
    out << "    defaultErrnoRet: " << *seccomp.default_errno_ret << "\n";
  if (!seccomp.architectures.empty()) FlowList(out, "architectures", seccomp.architectures, 4);
  out << "    syscalls:\n";
  for (const profiles::SeccompRule& rule : seccomp.syscalls) {
    out << "      - action: " << rule.action << "\n";
    if (rule.errno_ret) out << "        errnoRet: " << *rule.errno_ret << "\n";
    FlowList(out, "names", rule.names, 8);
    if (rule.args.empty()) continue;
    out << "        args:\n";
    for (const profiles::SeccompArg& arg : rule.args) {
      out << "          - {index: " << arg.index << ", value: " << arg.value
          << ", valueTwo: " << arg.value_two << ", op: " << arg.op << "}\n";
    }
  }
  return out.str();
}

}  // namespace csp::record
