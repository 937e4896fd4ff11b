#include "csp/agent/run_options.h"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "csp/names/names.h"
#include "csp/profiles/profile_name.h"

namespace csp::agent {

const char* const kRunUsage = R"(Usage: csp-agent run --node-name NODE [flags]

Runs the node agent: installs the built-in csp-default seccomp and AppArmor profiles, then
watches SecurityProfiles and this node's Node object, installs the profiles that select the
node, removes those that no longer do, and reports per-node status (each SecurityProfile's
status.nodeStatus and this node's ClusterPolicyReport csp-node-profiles-NODE).

Flags (each also read from the environment variable in brackets; a flag wins):
      --node-name NAME       this node's name, as in the Node object; required
                             [CSP_AGENT_NODE_NAME, else NODE_NAME]
      --root DIR             the node's root folder, prefixed to every path the agent touches:
                             DIR/var/lib/kubelet/seccomp/containersecurity,
                             DIR/etc/apparmor.d/containersecurity, DIR/sys/kernel/security,
                             DIR/sys/module/apparmor (default /) [CSP_AGENT_ROOT]
      --kubeconfig FILE      kubeconfig to use; default $KUBECONFIG, then the in-cluster service
                             account, then ~/.kube/config [CSP_AGENT_KUBECONFIG]
      --listen-address ADDR  host:port of /healthz, /readyz and /metrics; :PORT for every
                             interface, port 0 for a free one (default 0.0.0.0:8081)
                             [CSP_AGENT_LISTEN_ADDRESS]
      --report-api API       the node report's API: wgpolicyk8s (ClusterPolicyReport, the
                             default), openreports (ClusterReport, openreports.io) or both;
                             this node's results leave the other API's report
                             [CSP_AGENT_REPORT_API]
      --record NAME[,NAME]   record the syscalls of the containers whose Pods use
                             localhostProfile containersecurity-recording/NAME.json (the
                             agent writes that profile) and write them, when a container ends,
                             as SecurityProfile NAME to DIR/var/lib/containersecurity/
                             recordings/NAME.yaml; needs runc 1.1 and containerd 1.6 or later
                             (see docs/agent.md) [CSP_AGENT_RECORD]
      --log-format FORMAT    text or json (default text) [CSP_AGENT_LOG_FORMAT]
      --log-level LEVEL      debug, info, warn or error (default info) [CSP_AGENT_LOG_LEVEL]
  -h, --help                 this text

/readyz answers 200 once the first list of SecurityProfiles and of the Node is in and every
profile has been installed once; /healthz answers 200 while the process runs. SIGTERM or SIGINT
stops the agent; installed profiles stay on the node.
)";

namespace {

struct FlagSpec {
  const char* flag;
  const char* env;
};

constexpr std::array<FlagSpec, 8> kFlags = {{
    {"--node-name", "CSP_AGENT_NODE_NAME"},
    {"--root", "CSP_AGENT_ROOT"},
    {"--kubeconfig", "CSP_AGENT_KUBECONFIG"},
    {"--listen-address", "CSP_AGENT_LISTEN_ADDRESS"},
    {"--report-api", "CSP_AGENT_REPORT_API"},
    {"--record", "CSP_AGENT_RECORD"},
    {"--log-format", "CSP_AGENT_LOG_FORMAT"},
    {"--log-level", "CSP_AGENT_LOG_LEVEL"},
}};

Status Set(RunOptions& options, std::string_view flag, const std::string& value,
           const std::string& source) {
  if (value.empty()) return InvalidArgument(source + ": must not be empty");
  if (flag == "--node-name") {
    options.node_name = value;
  } else if (flag == "--root") {
    if (!std::filesystem::path(value).is_absolute()) {
      return InvalidArgument(source + ": " + value + " is not an absolute path");
    }
    options.root = value;
  } else if (flag == "--kubeconfig") {
    options.kubeconfig = value;
  } else if (flag == "--listen-address") {
    options.listen_address = value;
  } else if (flag == "--report-api") {
    options.report_apis = names::ReportApisOf(value);
    if (options.report_apis.empty()) {
      return InvalidArgument(source + ": \"" + value + "\" is not " +
                             std::string(names::kReportApiChoices));
    }
  } else if (flag == "--record") {
    options.record.clear();
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t comma = std::min(value.find(',', start), value.size());
      const std::string name = value.substr(start, comma - start);
      if (Status s = profiles::ValidateProfileName(name); !s) {
        return InvalidArgument(source + ": " + s.error().message);
      }
      options.record.push_back(name);
      start = comma + 1;
    }
  } else if (flag == "--log-format") {
    if (value != "text" && value != "json") {
      return InvalidArgument(source + ": \"" + value + "\" is not text or json");
    }
    options.log_format = value;
  } else if (flag == "--log-level") {
    if (value != "debug" && value != "info" && value != "warn" && value != "error") {
      return InvalidArgument(source + ": \"" + value + "\" is not debug, info, warn or error");
    }
    options.log_level = value;
  }
  return {};
}

}  // namespace

std::optional<std::string> ProcessEnvironment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

Result<RunOptions> ParseRunOptions(const std::vector<std::string>& args, const EnvLookup& env) {
  RunOptions options;
  // The environment first, so that flags override it.
  if (std::optional<std::string> node = env("NODE_NAME")) options.node_name = *node;
  for (const FlagSpec& spec : kFlags) {
    if (std::optional<std::string> value = env(spec.env)) {
      if (Status s = Set(options, spec.flag, *value, spec.env); !s) return s.error();
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      options.help = true;
      continue;
    }
    std::string flag = arg;
    std::optional<std::string> value;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    bool known = false;
    for (const FlagSpec& spec : kFlags) known = known || flag == spec.flag;
    if (!known) {
      return InvalidArgument(arg.starts_with("-") ? "unknown flag " + arg
                                                  : "unexpected argument " + arg);
    }
    if (!value) {
      if (i + 1 >= args.size()) return InvalidArgument(flag + " needs a value");
      value = args[++i];
    }
    if (Status s = Set(options, flag, *value, flag); !s) return s.error();
  }
  if (options.help) return options;
  if (options.node_name.empty()) {
    return InvalidArgument(
        "--node-name is required (or CSP_AGENT_NODE_NAME, or NODE_NAME from the downward API)");
  }
  return options;
}

}  // namespace csp::agent
