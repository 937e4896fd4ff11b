// Sharing the node's network, PID or IPC namespace lets a container see and reach the node's
// processes, traffic and shared memory (PSS baseline "Host Namespaces").
// Fields:  spec.hostNetwork, spec.hostPID, spec.hostIPC
// Allowed: false, unset
#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

// Pod-level fields: each one set is a violation of its own, naming no container.
Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext&) {
  Finding f;
  if (pod.host_network) f.violations.emplace_back("spec.hostNetwork is true");
  if (pod.host_pid) f.violations.emplace_back("spec.hostPID is true");
  if (pod.host_ipc) f.violations.emplace_back("spec.hostIPC is true");
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
  return f;
}

std::optional<cel::CelCheck> Cel(const ControlSettings&) {
  std::string list;
  for (const char* field : {"hostNetwork", "hostPID", "hostIPC"}) {
    if (!list.empty()) list += ", ";
    list += std::string(cel::kSpec) + ".?" + field + ".orValue(false) == true ? 'spec." + field +
            " is true' : ''";
  }
  return cel::ListCheck("[" + list + "].filter(v, v != '')");
}

}  // namespace

Control DisallowHostNamespaces() {
  return {.id = "disallow-host-namespaces",
          .key = "hostNamespaces",
          .severity = "high",
          .summary = "pods must not set hostNetwork, hostPID or hostIPC",
          .parse = &ParseNoSettings,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = R"({"enabled": true})",
          .pss_restricted = R"({"enabled": true})",
          .no_fix =
              "the host's network, PID or IPC namespace was asked for; only the workload's owner "
              "knows whether it can do without"};
}

}  // namespace csp::policy::controls
