// Node-aware rule 2 end to end: csp-agent on every kwok node (each with its own --root, under
// the agent's ServiceAccount) installs a SecurityProfile limited by nodeSelector and reports it;
// csp-operator (under its own ServiceAccount) fails a workload whose Localhost profile is
// missing on nodes it may run on, naming the profile and those nodes, and passes it once the
// profile is on every such node.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "agent_harness.h"
#include "e2e_env.h"
#include "operator_harness.h"

namespace csp::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr char kSeccompRule[] = "require-seccomp";

// Only the seccomp control, so that a workload's verdict depends on its seccomp profile alone.
json SeccompOnlyPolicySpec(const std::string& ns) {
  json spec = PrivilegedOnlyPolicySpec(ns, "Audit");
  spec["controls"]["privileged"] = {{"enabled", false}};
  spec["controls"]["seccomp"] = {{"enabled", true}, {"severity", "high"}};
  return spec;
}

// A Deployment running under the Localhost profile `localhost` (path under kubelet's seccomp
// root), optionally limited to nodes by `node_selector`.
json LocalhostDeployment(const std::string& name, const std::string& localhost,
                         const json& node_selector) {
  json pod = PodSpec(/*privileged=*/false);
  pod["securityContext"] = {
      {"seccompProfile", {{"type", "Localhost"}, {"localhostProfile", localhost}}}};
  if (!node_selector.empty()) pod["nodeSelector"] = node_selector;
  return DeploymentObject(name, 1, pod);
}

// The require-seccomp result of Deployment `name` in the policy's report, or null.
json SeccompResult(const std::string& ns, const std::string& policy, const std::string& name) {
  const std::optional<json> report = Report(ns, policy);
  if (!report) return nullptr;
  for (const json& r : ResultsFor(*report, "Deployment", name)) {
    if (r.value("rule", "") == kSeccompRule) return r;
  }
  return nullptr;
}

class OperatorNodeAwareTest : public OperatorTest {
 protected:
  void SetUp() override {
    OperatorTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(fs::exists(AgentPath())) << AgentPath();
    const std::string kubeconfig = BuildDir() + "/e2e-node-aware-agent.kubeconfig";
    ASSERT_TRUE(WriteAgentKubeconfig(kubeconfig));
    char pattern[] = "/tmp/csp-e2e-node-aware-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    for (int i = 0; i < NodeCount(); ++i) {
      agents_.push_back(
          std::make_unique<Agent>(NodeName(i), dir_ / NodeName(i), kubeconfig, "text"));
    }
    for (auto& agent : agents_) ASSERT_TRUE(agent->Start());
    for (auto& agent : agents_) {
      ASSERT_TRUE(Eventually([&] { return agent->Ready(); }, 60s)) << agent->Log();
    }
  }

  void TearDown() override {
    if (!profile_.empty()) Kubectl({"delete", "securityprofile", profile_, "--ignore-not-found"});
    for (const std::string& node : labeled_) Kubectl({"label", "node", node, label_ + "-"});
    for (auto& agent : agents_) {
      if (HasFailure())
        std::cerr << "--- log of csp-agent on " << agent->node() << ":\n" << agent->Log();
      agent->Stop();
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
    OperatorTest::TearDown();
  }

  void LabelNode(int i) {
    CommandResult r = Kubectl({"label", "node", NodeName(i), label_ + "=yes", "--overwrite"});
    ASSERT_EQ(r.exit_code, 0) << r;
    labeled_.push_back(NodeName(i));
  }

  // Waits until the node report shows profile `ref` Installed exactly on `nodes`.
  ::testing::AssertionResult InstalledOn(const std::string& ref, const std::vector<int>& nodes) {
    const bool ok = Eventually(
        [&] {
          const json report = NodeReports();
          if (!report.is_object()) return false;
          for (int i = 0; i < NodeCount(); ++i) {
            const auto results = NodeResults(report, NodeName(i));
            const auto it = results.find(ref);
            const bool installed = it != results.end() && it->second.state == "Installed";
            const bool want = std::find(nodes.begin(), nodes.end(), i) != nodes.end();
            if (installed != want) return false;
          }
          return true;
        },
        60s);
    if (ok) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << ref << " not installed on exactly the nodes asked:\n"
                                         << NodeReports().dump(2);
  }

  fs::path dir_;
  std::vector<std::unique_ptr<Agent>> agents_;
  std::string profile_;
  std::string label_;
  std::vector<std::string> labeled_;
};

TEST_F(OperatorNodeAwareTest, AProfileMissingOnSomeNodesFailsNamingThemUntilItIsEverywhere) {
  ASSERT_GE(NodeCount(), 3);
  profile_ = UniqueName("e2e-partial");
  label_ = "e2e.containersecurity.dev/" + profile_;
  const std::string ref = "containersecurity/" + profile_ + ".json";
  ASSERT_NO_FATAL_FAILURE(LabelNode(1));
  CommandResult created =
      Kubectl({"apply", "-f", "-"},
              SeccompYaml(profile_, "  nodeSelector:\n    " + label_ + ": \"yes\"\n"));
  ASSERT_EQ(created.exit_code, 0) << created;
  ASSERT_TRUE(InstalledOn(ref, {1}));
  ASSERT_TRUE(fs::exists(agents_[1]->SeccompFile(profile_)));
  ASSERT_FALSE(fs::exists(agents_[0]->SeccompFile(profile_)));

  const std::string policy = CreatePolicy("e2e-node-aware", SeccompOnlyPolicySpec(ns()));
  StartOperator();
  // May run anywhere: the profile is missing on every node but node 1.
  ASSERT_NO_FATAL_FAILURE(Create(LocalhostDeployment("anywhere", ref, json::object())));
  // Pinned to the nodes that have it.
  ASSERT_NO_FATAL_FAILURE(Create(LocalhostDeployment("pinned", ref, json{{label_, "yes"}})));
  // Names a profile no SecurityProfile defines.
  ASSERT_NO_FATAL_FAILURE(Create(LocalhostDeployment(
      "unknown", "containersecurity/no-such-profile.json", json{{label_, "yes"}})));

  json anywhere;
  ASSERT_TRUE(Eventually(
      [&] {
        anywhere = SeccompResult(ns(), policy, "anywhere");
        return anywhere.is_object() && anywhere.value("result", "") == "fail";
      },
      60s))
      << anywhere.dump(2);
  const std::string message = anywhere.value("message", "");
  EXPECT_NE(message.find(ref), std::string::npos) << message;
  EXPECT_NE(message.find(NodeName(0)), std::string::npos) << message;
  EXPECT_NE(message.find(NodeName(2)), std::string::npos) << message;
  EXPECT_EQ(message.find(NodeName(1)), std::string::npos) << message;
  const std::string missing = anywhere["properties"].value("missingNodes", "");
  EXPECT_NE(missing.find(NodeName(0)), std::string::npos) << anywhere.dump(2);
  EXPECT_EQ(missing.find(NodeName(1)), std::string::npos) << anywhere.dump(2);

  ASSERT_TRUE(Eventually(
      [&] {
        const json pinned = SeccompResult(ns(), policy, "pinned");
        const json unknown = SeccompResult(ns(), policy, "unknown");
        return pinned.is_object() && pinned.value("result", "") == "pass" && unknown.is_object() &&
               unknown.value("result", "") == "fail";
      },
      60s))
      << Report(ns(), policy).value_or(json()).dump(2);
  EXPECT_NE(SeccompResult(ns(), policy, "unknown").value("message", "").find("no-such-profile"),
            std::string::npos);

  // The profile reaches the other nodes: the agents install and report it, and the operator
  // passes the workload without any change to it.
  ASSERT_NO_FATAL_FAILURE(LabelNode(0));
  ASSERT_NO_FATAL_FAILURE(LabelNode(2));
  for (int i = 3; i < NodeCount(); ++i) ASSERT_NO_FATAL_FAILURE(LabelNode(i));
  std::vector<int> all;
  for (int i = 0; i < NodeCount(); ++i) all.push_back(i);
  ASSERT_TRUE(InstalledOn(ref, all));
  ASSERT_TRUE(Eventually(
      [&] {
        anywhere = SeccompResult(ns(), policy, "anywhere");
        return anywhere.is_object() && anywhere.value("result", "") == "pass";
      },
      60s))
      << anywhere.dump(2);
}

}  // namespace
}  // namespace csp::e2e
