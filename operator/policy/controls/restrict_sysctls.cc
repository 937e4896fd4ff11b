// Most sysctls are not namespaced or not isolated between pods: setting them changes the node
// for every pod on it or can disable kernel protections. Only a safe set may be set. Pod
// Security Standards, baseline and restricted.
// Fields:  spec.securityContext.sysctls[*].name (sysctls are the pod's only)
// Allowed: names in `allowed`, compared exactly as PSA does (net/ipv4/... is not
//          net.ipv4...). The default is PSS's safe set at Kubernetes 1.32 and later.
#include <algorithm>
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  std::vector<std::string> allowed;
};

// PSA's check_sysctls.go, sysctlsAllowedV1Dot32 (unchanged through 1.35).
constexpr std::array<ControlField, 1> kFields = {{
    {"allowed", R"(["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
                   "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
                   "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
                   "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                   "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
                   "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"])"},
}};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  if (const nlohmann::json* v = GetField(obj, "allowed")) {
    ReadStringList(*v, path + ".allowed", errors, s->allowed);
    for (std::size_t i = 0; i < s->allowed.size(); ++i) {
      if (s->allowed[i].empty()) errors.Add(path + ".allowed[" + std::to_string(i) + "]", "empty");
    }
  }
  return s;
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext&) {
  const auto& allowed = static_cast<const Settings&>(settings).allowed;
  Finding f;
  for (const Sysctl& sysctl : pod.pod_security_context.sysctls) {
    if (std::find(allowed.begin(), allowed.end(), sysctl.name) != allowed.end()) continue;
    f.violations.push_back("spec.securityContext.sysctls holds \"" + std::string(sysctl.name) +
                           "\" (not allowed)");
  }
  if (f.violations.empty()) return f;
  f.outcome = Outcome::kFail;
  // The pod's sysctls hold for every container of it.
  ForEachContainer(pod, [&](const Container& c) { f.containers.emplace_back(c.name); });
  return f;
}

std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  const auto& allowed = static_cast<const Settings&>(settings).allowed;
  return cel::ListCheck(std::string(cel::kPodSc) +
                        ".?sysctls.orValue([]).map(s, s.?name.orValue('')).filter(n, !(n in " +
                        cel::QuoteList(allowed) +
                        ")).map(n, 'spec.securityContext.sysctls holds \"' + n + "
                        "'\" (not allowed)')");
}

}  // namespace

Control RestrictSysctls() {
  return {.id = "restrict-sysctls",
          .key = "sysctls",
          .severity = "medium",
          .summary = "pods may set only allowed (safe) sysctls",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          // allowed's default is PSS's safe set.
          .pss_baseline = R"({"enabled": true})",
          .pss_restricted = R"({"enabled": true})",
          .no_fix = "the application asked for the sysctl"};
}

}  // namespace csp::policy::controls
