// The flags of `csp-agent run`. Every flag can also come from the environment variable
// CSP_AGENT_<FLAG> (upper case, '-' as '_'); a flag on the command line wins. --node-name also
// reads NODE_NAME, which a DaemonSet sets from spec.nodeName (the downward API).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/names/names.h"

namespace csp::agent {

extern const char* const kRunUsage;

struct RunOptions {
  std::string node_name = {};
  std::filesystem::path root = "/";
  std::filesystem::path kubeconfig = {};  // empty: $KUBECONFIG, in-cluster, ~/.kube/config
  std::string listen_address = "0.0.0.0:8081";
  // --report-api: the APIs the node report is written in.
  std::vector<names::ReportApi> report_apis = {names::ReportApi::kWgPolicyK8s};
  // --record: recordings this agent is the seccomp agent of (csp/record/node_recorder.h).
  std::vector<std::string> record = {};
  std::string log_format = "text";
  std::string log_level = "info";
  bool help = false;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (unset and empty variables are nullopt).
std::optional<std::string> ProcessEnvironment(const std::string& name);

// `args` are what follows "run". Errors (kInvalidArgument) name the flag or variable: an
// unknown flag, a missing value, no node name, a relative --root, a --log-format other than
// text or json, an unknown --log-level.
Result<RunOptions> ParseRunOptions(const std::vector<std::string>& args, const EnvLookup& env);

}  // namespace csp::agent
