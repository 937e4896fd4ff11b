// The readable source format of a seccomp profile (operator/profiles/defaults/*.seccomp.yaml):
// OCI rules plus conditions on the node's architecture and kernel and on capabilities, which
// csp-agent resolves at render time because container runtimes ignore such keys. The format is
// described at the top of csp-default.seccomp.yaml.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/profiles/render_target.h"
#include "csp/profiles/seccomp_profile.h"

namespace csp::profiles {

struct SeccompCondition {
  std::vector<std::string> arches = {};      // node machines; empty: any
  std::vector<std::string> not_arches = {};  // node machines
  std::vector<std::string> caps = {};        // all must be held
  std::vector<std::string> not_caps = {};    // none may be held
  std::optional<KernelVersion> min_kernel = {};
};

struct ConditionalRule {
  SeccompRule rule = {};
  SeccompCondition when = {};
};

struct SeccompSource {
  std::string default_action = {};
  std::optional<unsigned> default_errno_ret = {};
  // Node machine -> SCMP_ARCH_* list, native first.
  std::map<std::string, std::vector<std::string>> architectures = {};
  std::vector<ConditionalRule> syscalls = {};
};

// Parses the source document (already converted from YAML). Errors name `file` and the field.
Result<SeccompSource> ParseSeccompSource(const nlohmann::json& document, std::string_view file);

// Whether `when` holds for `target`.
bool ConditionHolds(const SeccompCondition& when, const RenderTarget& target);

// Resolves every condition for `target` and returns the plain OCI profile: the rules whose
// condition holds, those with the same action, errnoRet and args merged into one entry (in the
// order of their first appearance) with names sorted and unique. An unknown target machine is
// an error listing the known ones.
Result<SeccompProfile> RenderSeccompSource(const SeccompSource& source, const RenderTarget& target);

}  // namespace csp::profiles
