// A probe or lifecycle handler with a `host` makes the kubelet connect to any address the pod
// owner names, from the node's network: a way past network policy (PSS baseline since 1.34).
// Fields:  spec.{initContainers,containers,ephemeralContainers}[*].{livenessProbe,
//          readinessProbe,startupProbe,lifecycle.postStart,lifecycle.preStop}.{httpGet,
//          tcpSocket}.host
// Allowed: unset, ""
#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext&) {
  return CheckEachContainer(pod, [](const Container& c) -> std::string {
    std::string out;
    for (const auto& [field, host] : c.probe_hosts) {
      if (!out.empty()) out += ", ";
      out += field;
      out += " is \"";
      out += host;
      out += '"';
    }
    return out;
  });
}

// Each field's host, or '' (the message as Check words it).
std::optional<cel::CelCheck> Cel(const ControlSettings&) {
  std::string hosts;
  for (const char* handler : {"livenessProbe", "readinessProbe", "startupProbe",
                              "lifecycle.postStart", "lifecycle.preStop"}) {
    std::string access = "c";
    std::string_view h = handler;
    for (std::size_t dot; (dot = h.find('.')) != std::string_view::npos; h.remove_prefix(dot + 1)) {
      access += ".?" + std::string(h.substr(0, dot));
    }
    access += ".?" + std::string(h);
    for (const char* kind : {"httpGet", "tcpSocket"}) {
      if (!hosts.empty()) hosts += ", ";
      // string(): the API server's CEL refuses a list literal mixing string and dyn.
      hosts += "['" + std::string(handler) + "." + kind + ".host', string(" + access + ".?" + kind +
               ".?host.orValue(''))]";
    }
  }
  return cel::EachContainerCheck("[" + hosts +
                                 "].filter(p, p[1] != '').map(p, p[0] + ' is \"' + p[1] + "
                                 "'\"').join(', ')");
}

}  // namespace

Control RestrictProbeHosts() {
  return {
      .id = "restrict-probe-hosts",
      .key = "probeHosts",
      .severity = "medium",
      .summary = "probes and lifecycle handlers must not name a host",
      .parse = &ParseNoSettings,
      .check = &Check,
      .cel = &Cel,
      .pss_baseline = R"({"enabled":true})",
      .pss_restricted = R"({"enabled":true})",
      .no_fix = "the probe or handler must target the pod itself; which address does is not known"};
}

}  // namespace csp::policy::controls
