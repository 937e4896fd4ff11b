// Running csp-agent in end-to-end tests: one process per kwok node, each with its own --root
// folder standing in for the node's /, under a token of the ServiceAccount of config/agent (so
// its RBAC is exercised, not the admin's); and reading what the agents report.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace csp::e2e {

std::string AgentPath();
std::string ReadFile(const std::filesystem::path& path);
int NodeCount();              // kwok nodes of the e2e cluster (CSP_E2E_NODES)
std::string NodeName(int i);  // kwok-node-<i>
// The value of an unlabeled sample (or one with exactly these labels) in /metrics text.
std::optional<double> Metric(const std::string& text, const std::string& sample);

// One csp-agent process for one node, its root folder and its log.
class Agent {
 public:
  Agent(std::string node, std::filesystem::path root, std::string kubeconfig,
        std::string log_format);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  ~Agent() { Stop(); }

  // Starts the process; its port comes from its log (it listens on a free one).
  ::testing::AssertionResult Start();
  // SIGTERM, and the exit status (0 is a clean stop).
  int Stop();

  bool Ready() const;
  std::string Metrics() const;
  // The status thread has written (or found right) everything it had to.
  bool StatusInSync() const { return Metric(Metrics(), "csp_agent_status_in_sync") == 1; }

  std::filesystem::path SeccompFile(const std::string& name) const {
    return root_ / "var/lib/kubelet/seccomp/containersecurity" / (name + ".json");
  }
  std::filesystem::path AppArmorFile(const std::string& name) const {
    return root_ / "etc/apparmor.d/containersecurity" / name;
  }
  // Every regular file under the root, relative to it.
  std::vector<std::string> Files() const;
  std::string Log() const { return ReadFile(log_); }
  const std::string& node() const { return node_; }

 private:
  std::string node_;
  std::filesystem::path root_;
  std::string kubeconfig_;
  std::string log_format_;
  std::filesystem::path log_;
  std::size_t last_log_size_ = 0;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Writes `path`: the admin kubeconfig with the credentials of a token of the ServiceAccount
// csp-system/csp-agent, after applying config/agent's RBAC (not the DaemonSet).
::testing::AssertionResult WriteAgentKubeconfig(const std::string& path);

// What the node report says about one (node, profile reference).
struct ReportEntry {
  std::string result;
  std::string state;
  std::string type;
  std::string message;
};
// `node`'s results in `report`: one node report, or a list of them (NodeReports).
std::map<std::string, ReportEntry> NodeResults(const nlohmann::json& report,
                                               const std::string& node);
// The agents' node reports of `resource` (one per node; labeled managed-by csp-agent) as a
// List, or null.
nlohmann::json NodeReports(const std::string& resource = "clusterpolicyreports.wgpolicyk8s.io");
// The report of `node` (csp-node-profiles-<node>) of `resource`, or null.
nlohmann::json NodeReportOf(const std::string& node,
                            const std::string& resource = "clusterpolicyreports.wgpolicyk8s.io");
nlohmann::json SecurityProfile(const std::string& name);  // or null

std::string SeccompYaml(const std::string& name, const std::string& selector_yaml = "");
std::string AppArmorYaml(const std::string& name, const std::string& policy);

}  // namespace csp::e2e
