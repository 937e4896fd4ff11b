// csp-agent's --report-api (CSP_AGENT_REPORT_API) against the real API server: agents started
// with openreports write the ClusterReport csp-node-profiles (openreports.io/v1alpha1) with the
// results they wrote as a ClusterPolicyReport before, and the last agent switched deletes that
// ClusterPolicyReport.
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

json Get(const std::string& resource) {
  CommandResult r = Kubectl({"get", resource, "csp-node-profiles", "-o", "json"});
  if (r.exit_code != 0) return nullptr;
  return json::parse(r.out, nullptr, false);
}

// The results without their timestamps, which the agents stamp when they write.
json Untimed(const json& report) {
  json results = report.value("results", json::array());
  for (json& r : results) r.erase("timestamp");
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
    Kubectl({"delete", "clusterreports.openreports.io", "csp-node-profiles", "--ignore-not-found"});
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
        polr = Get("clusterpolicyreports.wgpolicyk8s.io");
        return EveryNodeInstalled(polr);
      },
      kWait))
      << polr.dump(2);
  StopAll();

  StartAll("openreports");
  json rep;
  ASSERT_TRUE(Eventually(
      [&] {
        rep = Get("clusterreports.openreports.io");
        return EveryNodeInstalled(rep);
      },
      kWait))
      << rep.dump(2);
  EXPECT_EQ(rep["apiVersion"], "openreports.io/v1alpha1");
  EXPECT_EQ(rep["kind"], "ClusterReport");
  EXPECT_EQ(rep["source"], "containersecurity");
  EXPECT_EQ(rep["metadata"]["labels"]["app.kubernetes.io/managed-by"], "csp-agent");
  // The nodes' results as they were (other nodes' results, if any, went on in the old one).
  json mine = json::array();
  for (const json& r : Untimed(polr)) {
    const std::string node = r["properties"].value("node", "");
    for (int i = 0; i < NodeCount(); ++i) {
      if (node == NodeName(i)) mine.push_back(r);
    }
  }
  EXPECT_EQ(Untimed(rep), mine);
  EXPECT_TRUE(
      Eventually([] { return Get("clusterpolicyreports.wgpolicyk8s.io").is_null(); }, kWait))
      << "the ClusterPolicyReport outlived the switch: "
      << Get("clusterpolicyreports.wgpolicyk8s.io").dump(2);
  CommandResult listed = Kubectl({"get", "clusterreports"});
  EXPECT_NE(listed.out.find("csp-node-profiles"), std::string::npos) << listed;
}

}  // namespace
}  // namespace csp::e2e
