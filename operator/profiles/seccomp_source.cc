#include "csp/profiles/seccomp_source.h"

#include <algorithm>

#include "csp/profiles/quote.h"
#include "csp/profiles/seccomp_vocabulary.h"
#include "json_fields.h"

namespace csp::profiles {
namespace {

using internal::At;
using internal::AtIndex;
using internal::FieldError;

Result<std::vector<std::string>> GetMachines(const nlohmann::json& value, const std::string& path,
                                             const SeccompSource& source) {
  CSP_TRY(std::vector<std::string> machines, internal::GetStringList(value, path, 64));
  for (std::size_t i = 0; i < machines.size(); ++i) {
    if (!source.architectures.contains(machines[i])) {
      return FieldError(AtIndex(path, i),
                        Quote(machines[i]) + " is not a machine listed in architectures");
    }
  }
  return machines;
}

Result<std::vector<std::string>> GetCapabilities(const nlohmann::json& value,
                                                 const std::string& path) {
  CSP_TRY(std::vector<std::string> caps,
          internal::GetStringList(value, path, CapabilityNames().size()));
  for (std::size_t i = 0; i < caps.size(); ++i) {
    if (!Contains(CapabilityNames(), caps[i])) {
      return FieldError(AtIndex(path, i), Quote(caps[i]) + " is not a capability (CAP_*)");
    }
  }
  return caps;
}

Result<SeccompCondition> ParseCondition(const nlohmann::json& when, const std::string& path,
                                        const SeccompSource& source) {
  if (Status s = internal::CheckObject(when, path,
                                       {"arches", "notArches", "caps", "notCaps", "minKernel"});
      !s) {
    return s.error();
  }
  SeccompCondition out;
  if (when.contains("arches")) {
    CSP_TRY(out.arches, GetMachines(when["arches"], At(path, "arches"), source));
  }
  if (when.contains("notArches")) {
    CSP_TRY(out.not_arches, GetMachines(when["notArches"], At(path, "notArches"), source));
  }
  if (when.contains("caps")) {
    CSP_TRY(out.caps, GetCapabilities(when["caps"], At(path, "caps")));
  }
  if (when.contains("notCaps")) {
    CSP_TRY(out.not_caps, GetCapabilities(when["notCaps"], At(path, "notCaps")));
  }
  if (when.contains("minKernel")) {
    CSP_TRY(std::string text, internal::GetString(when["minKernel"], At(path, "minKernel")));
    Result<KernelVersion> version = ParseKernelVersion(text);
    if (!version) return FieldError(At(path, "minKernel"), version.error().message);
    out.min_kernel = *version;
  }
  return out;
}

Result<SeccompSource> ParseSource(const nlohmann::json& document) {
  if (Status s = internal::CheckObject(
          document, "", {"defaultAction", "defaultErrnoRet", "architectures", "syscalls"});
      !s) {
    return s.error();
  }
  // The header is plain OCI: let the OCI parser check it.
  nlohmann::json header = nlohmann::json::object();
  for (const char* key : {"defaultAction", "defaultErrnoRet"}) {
    if (document.contains(key)) header[key] = document[key];
  }
  CSP_TRY(SeccompProfile oci_header, ParseSeccompProfile(header, ""));
  SeccompSource out;
  out.default_action = oci_header.default_action;
  out.default_errno_ret = oci_header.default_errno_ret;

  if (!document.contains("architectures") || !document["architectures"].is_object()) {
    return FieldError("architectures", "must map node machines to SCMP_ARCH_* lists");
  }
  for (const auto& [machine, arches] : document["architectures"].items()) {
    const std::string path = At("architectures", machine);
    CSP_TRY(std::vector<std::string> list,
            internal::GetStringList(arches, path, SeccompArchitectures().size()));
    if (list.empty()) return FieldError(path, "must list at least one architecture");
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!Contains(SeccompArchitectures(), list[i])) {
        return FieldError(AtIndex(path, i), Quote(list[i]) + " is not a seccomp architecture");
      }
    }
    out.architectures[machine] = std::move(list);
  }

  const nlohmann::json& rules = document.value("syscalls", nlohmann::json::array());
  if (!rules.is_array()) return FieldError("syscalls", "must be a list");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string path = AtIndex("syscalls", i);
    if (Status s = internal::CheckObject(
            rules[i], path, {"names", "action", "errnoRet", "args", "comment", "when"});
        !s) {
      return s.error();
    }
    nlohmann::json oci = rules[i];
    oci.erase("comment");
    oci.erase("when");
    ConditionalRule rule;
    CSP_TRY(rule.rule, ParseSeccompRule(oci, path));
    if (rules[i].contains("when")) {
      CSP_TRY(rule.when, ParseCondition(rules[i]["when"], At(path, "when"), out));
    }
    out.syscalls.push_back(std::move(rule));
  }
  return out;
}

bool Holds(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<SeccompSource> ParseSeccompSource(const nlohmann::json& document, std::string_view file) {
  Result<SeccompSource> source = ParseSource(document);
  if (!source) return InvalidArgument(std::string(file) + ": " + source.error().message);
  return source;
}

bool ConditionHolds(const SeccompCondition& when, const RenderTarget& target) {
  if (!when.arches.empty() && !Holds(when.arches, target.machine)) return false;
  if (Holds(when.not_arches, target.machine)) return false;
  for (const std::string& cap : when.caps) {
    if (!target.capabilities.contains(cap)) return false;
  }
  for (const std::string& cap : when.not_caps) {
    if (target.capabilities.contains(cap)) return false;
  }
  if (when.min_kernel && (!target.kernel || *target.kernel < *when.min_kernel)) return false;
  return true;
}

Result<SeccompProfile> RenderSeccompSource(const SeccompSource& source,
                                           const RenderTarget& target) {
  auto arches = source.architectures.find(target.machine);
  if (arches == source.architectures.end()) {
    std::vector<std::string> known;
    for (const auto& [machine, unused] : source.architectures) known.push_back(machine);
    return InvalidArgument("architecture " + Quote(target.machine) +
                           " is not supported (known: " + JoinComma(known) + ")");
  }
  SeccompProfile out;
  out.default_action = source.default_action;
  out.default_errno_ret = source.default_errno_ret;
  out.architectures = arches->second;
  for (const ConditionalRule& conditional : source.syscalls) {
    if (!ConditionHolds(conditional.when, target)) continue;
    const SeccompRule& rule = conditional.rule;
    auto same = std::find_if(out.syscalls.begin(), out.syscalls.end(), [&](const SeccompRule& r) {
      return r.action == rule.action && r.errno_ret == rule.errno_ret && r.args == rule.args;
    });
    if (same == out.syscalls.end()) {
      out.syscalls.push_back(rule);
    } else {
      same->names.insert(same->names.end(), rule.names.begin(), rule.names.end());
    }
  }
  for (SeccompRule& rule : out.syscalls) {
    std::sort(rule.names.begin(), rule.names.end());
    rule.names.erase(std::unique(rule.names.begin(), rule.names.end()), rule.names.end());
  }
  return out;
}

}  // namespace csp::profiles
