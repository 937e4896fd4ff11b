// csp-agent's --report-api (CSP_AGENT_REPORT_API) against the real API server: agents started
// with openreports write their node's ClusterReport csp-node-profiles-<node>
// (openreports.io/v1alpha1) with the results they wrote as a ClusterPolicyReport before, and
// delete their ClusterPolicyReport.
//
// The agents run with the admin's kubeconfig: config/agent's RBAC does not grant openreports.io
// (the chart and config/ add it).
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "agent_harness.h"
#include "e2e_env.h"

namespace csp::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kWait = 60s;

// The results of a list of reports (in the list's order, by name) without their timestamps,
// which the agents stamp when they write.
json Untimed(const json& reports) {
  json results = json::array();
  for (const json& report : reports.value("items", json::array())) {
    for (json r : report.value("results", json::array())) {
      r.erase("timestamp");
      results.push_back(std::move(r));
    }
  }
  return results;
}

// Every node's csp-default profiles reported: seccomp Installed, AppArmor in any state (the
// test nodes may have no AppArmor: Unsupported).
bool EveryNodeInstalled(const json& report) {
  if (!report.is_object()) return false;
  for (int i = 0; i < NodeCount(); ++i) {
    const auto results = NodeResults(report, NodeName(i));
    auto seccomp = results.find("containersecurity/csp-default.json");
    if (seccomp == results.end() || seccomp->second.state != "Installed") return false;
    if (!results.contains("csp-default")) return false;
  }
  return true;
}

class AgentOpenReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Kubeconfig().empty()) << "no cluster configured (CSP_E2E_KUBECONFIG)";
    CommandResult crds = Kubectl({"apply", "--server-side", "-f", RepoRoot() + "/crds/"});
    ASSERT_EQ(crds.exit_code, 0) << crds;
    ASSERT_TRUE(WaitCrdsEstablished({"clusterreports.openreports.io"}));
    char pattern[] = "/tmp/csp-e2e-agent-or-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }

  void TearDown() override {
    StopAll();
    unsetenv("CSP_AGENT_REPORT_API");
    Kubectl({"delete", "clusterreports.openreports.io", "-l",
             "app.kubernetes.io/managed-by=csp-agent", "--ignore-not-found"});
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // One agent per node; they read CSP_AGENT_REPORT_API from this process's environment.
  void StartAll(const std::string& report_api) {
    ASSERT_EQ(setenv("CSP_AGENT_REPORT_API", report_api.c_str(), 1), 0);
    for (int i = 0; i < NodeCount(); ++i) {
      agents_.push_back(
          std::make_unique<Agent>(NodeName(i), dir_ / NodeName(i), Kubeconfig(), "json"));
      ASSERT_TRUE(agents_.back()->Start());
    }
  }

  void StopAll() {
    for (auto& agent : agents_) {
      if (HasFailure()) std::cerr << "--- log of " << agent->node() << ":\n" << agent->Log();
      EXPECT_EQ(agent->Stop(), 0) << agent->node();
    }
    agents_.clear();
  }

  fs::path dir_;
  std::vector<std::unique_ptr<Agent>> agents_;
};

TEST_F(AgentOpenReportsTest, SwitchingToOpenReportsMovesTheNodeReport) {
  StartAll("wgpolicyk8s");
  json polr;
  ASSERT_TRUE(Eventually(
      [&] {
        polr = NodeReports("clusterpolicyreports.wgpolicyk8s.io");
        return EveryNodeInstalled(polr);
      },
      kWait))
      << polr.dump(2);
  StopAll();

  StartAll("openreports");
  json rep;
  ASSERT_TRUE(Eventually(
      [&] {
        rep = NodeReports("clusterreports.openreports.io");
        return EveryNodeInstalled(rep);
      },
      kWait))
      << rep.dump(2);
  for (int i = 0; i < NodeCount(); ++i) {
    const json own = NodeReportOf(NodeName(i), "clusterreports.openreports.io");
    EXPECT_EQ(own["apiVersion"], "openreports.io/v1alpha1");
    EXPECT_EQ(own["kind"], "ClusterReport");
    EXPECT_EQ(own["source"], "containersecurity");
    EXPECT_EQ(own["metadata"]["labels"]["app.kubernetes.io/managed-by"], "csp-agent");
  }
  // The nodes' results as they were (other nodes' reports, if any, stay in the old API).
  json mine = json::array();
  for (const json& r : Untimed(polr)) {
    const std::string node = r["properties"].value("node", "");
    for (int i = 0; i < NodeCount(); ++i) {
      if (node == NodeName(i)) mine.push_back(r);
    }
  }
  EXPECT_EQ(Untimed(rep), mine);
  for (int i = 0; i < NodeCount(); ++i) {
    EXPECT_TRUE(Eventually([&] { return NodeReportOf(NodeName(i)).is_null(); }, kWait))
        << "the ClusterPolicyReport outlived the switch: " << NodeReportOf(NodeName(i)).dump(2);
  }
  CommandResult listed = Kubectl({"get", "clusterreports"});
  EXPECT_NE(listed.out.find("csp-node-profiles-" + NodeName(0)), std::string::npos) << listed;
}

}  // namespace
}  // namespace csp::e2e
