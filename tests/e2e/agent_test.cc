// csp-agent on the local cluster: one agent process per kwok node, each with its own --root temp
// folder standing in for the node's /, all started as subprocesses with the credentials of the
// ServiceAccount of config/agent (so its RBAC is exercised, not the admin's).
//
// The roots hold no sys/kernel/security/apparmor, so every AppArmor profile is reported
// Unsupported whether or not this machine runs AppArmor: the tests never load policy into the
// real kernel. The real `apparmor_parser -Q -K` still checks every AppArmor profile's text.
//
// Object names holding ".." or "/" never reach the agent: the API server refuses them (checked
// below). What does reach it is text naming another profile, e.g. an AppArmor policy declaring
// `profile ../../escape`, which the agent's own validation refuses.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent_harness.h"
#include "e2e_env.h"

namespace csp::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kWait = 60s;

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Kubeconfig().empty()) << "no cluster configured (CSP_E2E_KUBECONFIG)";
    ASSERT_TRUE(fs::exists(AgentPath())) << AgentPath();
    CommandResult crds = Kubectl({"apply", "--server-side", "-f", RepoRoot() + "/crds/"});
    ASSERT_EQ(crds.exit_code, 0) << crds;
    ASSERT_TRUE(Eventually(
        [] {
          return Kubectl({"get", "securityprofiles"}).exit_code == 0;
        },
        kWait));
    kubeconfig_ = (fs::path(BuildDir()) / "e2e-agent.kubeconfig").string();
    ASSERT_TRUE(WriteAgentKubeconfig(kubeconfig_));

    char pattern[] = "/tmp/csp-e2e-agent-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    for (int i = 0; i < NodeCount(); ++i) {
      // One agent logs JSON, so that both formats run.
      agents_.push_back(std::make_unique<Agent>(NodeName(i), dir_ / NodeName(i), kubeconfig_,
                                                i == 0 ? "json" : "text"));
    }
  }

  void TearDown() override {
    for (const std::string& name : profiles_) {
      Kubectl({"delete", "securityprofile", name, "--ignore-not-found", "--wait=false"});
    }
    for (const auto& [node, label] : labels_) Kubectl({"label", "node", node, label + "-"});
    for (auto& agent : agents_) {
      if (HasFailure()) std::cerr << "--- log of " << agent->node() << ":\n" << agent->Log();
      agent->Stop();
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  void StartAll() {
    for (auto& agent : agents_) ASSERT_TRUE(agent->Start());
    for (auto& agent : agents_) {
      ASSERT_TRUE(Eventually([&] { return agent->Ready(); }, kWait))
          << agent->node() << " not ready:\n"
          << agent->Log();
    }
  }

  void Create(const std::string& name, const std::string& yaml) {
    profiles_.push_back(name);
    CommandResult r = Kubectl({"apply", "-f", "-"}, yaml);
    ASSERT_EQ(r.exit_code, 0) << r;
  }

  void Label(const std::string& node, const std::string& key, const std::string& value) {
    CommandResult r = Kubectl({"label", "node", node, key + "=" + value, "--overwrite"});
    ASSERT_EQ(r.exit_code, 0) << r;
    labels_.emplace_back(node, key);
  }

  // Waits until the report says exactly `want` (result/state per node) for profile `ref`,
  // nullopt meaning "no result".
  bool ReportSays(const std::string& ref,
                  const std::map<std::string, std::optional<std::string>>& want) {
    return Eventually(
        [&] {
          const json report = NodeReports();
          if (!report.is_object()) return false;
          for (const auto& [node, state] : want) {
            const auto results = NodeResults(report, node);
            auto it = results.find(ref);
            if (!state && it != results.end()) return false;
            if (state && (it == results.end() || it->second.state != *state)) return false;
          }
          return true;
        },
        kWait);
  }

  fs::path dir_;
  std::string kubeconfig_;
  std::vector<std::unique_ptr<Agent>> agents_;
  std::vector<std::string> profiles_;
  std::vector<std::pair<std::string, std::string>> labels_;
};

// The upgrade from agents that all wrote one shared report csp-node-profiles: each agent writes
// its own report, then takes its node's results out of the shared one, and the last one out
// deletes it (config/agent's RBAC allows deleting that one name).
TEST_F(AgentTest, UpgradeLeavesNothingInTheSharedReport) {
  json legacy = {{"apiVersion", "wgpolicyk8s.io/v1alpha2"},
                 {"kind", "ClusterPolicyReport"},
                 {"metadata",
                  {{"name", "csp-node-profiles"},
                   {"labels", {{"app.kubernetes.io/managed-by", "csp-agent"}}}}},
                 {"results", json::array()}};
  for (int i = 0; i < NodeCount(); ++i) {
    legacy["results"].push_back({{"source", "containersecurity"},
                                 {"policy", "csp-node-profiles"},
                                 {"rule", "seccomp-profile"},
                                 {"result", "pass"},
                                 {"timestamp", {{"seconds", 1767225600}, {"nanos", 0}}},
                                 {"properties",
                                  {{"node", NodeName(i)},
                                   {"profile", "containersecurity/stale.json"},
                                   {"type", "Seccomp"},
                                   {"state", "Installed"}}}});
  }
  Kubectl({"delete", "clusterpolicyreport", "csp-node-profiles", "--ignore-not-found"});
  CommandResult created = Kubectl({"create", "-f", "-"}, legacy.dump());
  ASSERT_EQ(created.exit_code, 0) << created;

  ASSERT_NO_FATAL_FAILURE(StartAll());
  EXPECT_TRUE(Eventually(
      [] {
        return Kubectl({"get", "clusterpolicyreport", "csp-node-profiles"}).exit_code != 0;
      },
      kWait))
      << Kubectl({"get", "clusterpolicyreport", "csp-node-profiles", "-o", "json"}).out;
  std::map<std::string, std::optional<std::string>> everywhere, nowhere;
  for (auto& agent : agents_) {
    everywhere[agent->node()] = "Installed";
    nowhere[agent->node()] = std::nullopt;
  }
  EXPECT_TRUE(ReportSays("containersecurity/csp-default.json", everywhere));
  EXPECT_TRUE(ReportSays("containersecurity/stale.json", nowhere)) << NodeReports().dump(2);
}

TEST_F(AgentTest, DefaultProfilesOnEveryNodeAndInTheReport) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  CommandResult rendered = csp::e2e::Run({AgentPath(), "render", "csp-default-seccomp"});
  ASSERT_EQ(rendered.exit_code, 0) << rendered;
  for (auto& agent : agents_) {
    EXPECT_EQ(ReadFile(agent->SeccompFile("csp-default")), rendered.out) << agent->node();
    // No AppArmor under the test root: nothing written for it.
    EXPECT_FALSE(fs::exists(agent->AppArmorFile("csp-default"))) << agent->node();
  }
  std::map<std::string, std::optional<std::string>> everywhere;
  for (auto& agent : agents_) everywhere[agent->node()] = "Installed";
  ASSERT_TRUE(ReportSays("containersecurity/csp-default.json", everywhere))
      << NodeReports().dump(2);
  for (auto& [node, state] : everywhere) state = "Unsupported";
  ASSERT_TRUE(ReportSays("csp-default", everywhere)) << NodeReports().dump(2);

  // One report per node, named after it, with that node's results alone; every result has the
  // agreed shape, and each summary counts its report's.
  for (auto& agent : agents_) {
    const json report = NodeReportOf(agent->node());
    ASSERT_TRUE(report.is_object()) << agent->node();
    EXPECT_EQ(report["metadata"]["labels"]["app.kubernetes.io/managed-by"], "csp-agent");
    const auto results = NodeResults(report, agent->node());
    const ReportEntry& seccomp = results.at("containersecurity/csp-default.json");
    EXPECT_EQ(seccomp.result, "pass");
    EXPECT_EQ(seccomp.type, "Seccomp");
    const ReportEntry& apparmor = results.at("csp-default");
    EXPECT_EQ(apparmor.result, "skip");
    EXPECT_EQ(apparmor.type, "AppArmor");
    EXPECT_TRUE(apparmor.message.starts_with("AppArmor not available on this node"))
        << apparmor.message;
    std::map<std::string, int> counted;
    for (const json& r : report["results"]) {
      EXPECT_EQ(r["properties"]["node"], agent->node());
      EXPECT_EQ(r["source"], "containersecurity");
      EXPECT_EQ(r["policy"], "csp-node-profiles");
      EXPECT_TRUE(r["rule"] == "seccomp-profile" || r["rule"] == "apparmor-profile") << r;
      EXPECT_EQ(
          r["resources"],
          json({{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", r["properties"]["node"]}}}));
      ++counted[r["result"].get<std::string>()];
    }
    for (const char* result : {"pass", "fail", "warn", "error", "skip"}) {
      EXPECT_EQ(report["summary"][result], counted[result]) << result;
    }
  }
  // The endpoints answer.
  const std::string metrics = agents_[0]->Metrics();
  EXPECT_EQ(Metric(metrics, "csp_agent_ready"), 1);
  EXPECT_GE(Metric(metrics, "csp_agent_profiles{type=\"Seccomp\",state=\"Installed\"}"), 1);
  EXPECT_GT(Metric(metrics, "process_resident_memory_bytes").value_or(0), 0);
}

TEST_F(AgentTest, NodeSelectorPicksTheNodesAndDeletionRemovesTheFiles) {
  ASSERT_GE(agents_.size(), 3u);
  const std::string name = UniqueName("e2e-selected");
  const std::string label = "e2e.containersecurity.dev/" + name;
  ASSERT_NO_FATAL_FAILURE(Label(NodeName(1), label, "yes"));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(
      Create(name, SeccompYaml(name, "  nodeSelector:\n    " + label + ": \"yes\"\n")));

  ASSERT_TRUE(Eventually([&] { return fs::exists(agents_[1]->SeccompFile(name)); }, kWait));
  const std::string ref = "containersecurity/" + name + ".json";
  ASSERT_TRUE(ReportSays(
      ref, {{NodeName(0), std::nullopt}, {NodeName(1), "Installed"}, {NodeName(2), std::nullopt}}))
      << NodeReports().dump(2);
  EXPECT_FALSE(fs::exists(agents_[0]->SeccompFile(name)));
  EXPECT_FALSE(fs::exists(agents_[2]->SeccompFile(name)));
  EXPECT_EQ(ReadFile(agents_[1]->SeccompFile(name)),
            csp::e2e::Run({AgentPath(), "render", "-f", "-"}, SeccompYaml(name)).out);
  ASSERT_TRUE(Eventually(
      [&] {
        const json p = SecurityProfile(name);
        return p.is_object() &&
               p["status"].value("nodes", json::object()).value("installed", 0) == 1;
      },
      kWait))
      << SecurityProfile(name).dump(2);
  json status = SecurityProfile(name)["status"];
  EXPECT_EQ(
      status["nodes"],
      json({{"selected", 1}, {"installed", 1}, {"pending", 0}, {"failed", 0}, {"unsupported", 0}}));
  ASSERT_EQ(status["nodeStatus"].size(), 1u);
  EXPECT_EQ(status["nodeStatus"][0]["node"], NodeName(1));
  EXPECT_EQ(status["nodeStatus"][0]["state"], "Installed");
  EXPECT_EQ(status["nodeStatus"][0]["observedGeneration"], 1);
  EXPECT_EQ(status["conditions"][0]["type"], "Ready");
  EXPECT_EQ(status["conditions"][0]["status"], "True");

  // The label moves from node 1 to node 2: the agents follow their Node objects.
  ASSERT_NO_FATAL_FAILURE(Label(NodeName(2), label, "yes"));
  CommandResult unlabel = Kubectl({"label", "node", NodeName(1), label + "-"});
  ASSERT_EQ(unlabel.exit_code, 0) << unlabel;
  ASSERT_TRUE(Eventually([&] { return fs::exists(agents_[2]->SeccompFile(name)); }, kWait));
  ASSERT_TRUE(Eventually([&] { return !fs::exists(agents_[1]->SeccompFile(name)); }, kWait));
  ASSERT_TRUE(ReportSays(ref, {{NodeName(1), std::nullopt}, {NodeName(2), "Installed"}}))
      << NodeReports().dump(2);
  ASSERT_TRUE(Eventually(
      [&] {
        const json s = SecurityProfile(name)["status"];
        return s["nodeStatus"].size() == 1 && s["nodeStatus"][0]["node"] == NodeName(2);
      },
      kWait))
      << SecurityProfile(name).dump(2);

  // Deleted: the file goes, and so does the report's result.
  CommandResult deleted = Kubectl({"delete", "securityprofile", name});
  ASSERT_EQ(deleted.exit_code, 0) << deleted;
  ASSERT_TRUE(Eventually([&] { return !fs::exists(agents_[2]->SeccompFile(name)); }, kWait));
  ASSERT_TRUE(ReportSays(ref, {{NodeName(2), std::nullopt}})) << NodeReports().dump(2);
  for (auto& agent : agents_) EXPECT_FALSE(fs::exists(agent->SeccompFile(name))) << agent->node();
}

TEST_F(AgentTest, RefusedProfilesAreReportedAndNeverWritten) {
  // The API server refuses object names that could leave the agent's folder.
  for (const std::string bad : {"a..b", "../escape", "a/b"}) {
    CommandResult r = Kubectl({"create", "-f", "-"}, SeccompYaml(bad));
    EXPECT_NE(r.exit_code, 0) << bad << ": " << r;
  }
  ASSERT_NO_FATAL_FAILURE(StartAll());
  // A name that does reach the agent: AppArmor text declaring a profile outside the object's
  // name (a path, here). Refused by the agent's own validation, on every node.
  const std::string escape = UniqueName("e2e-escape");
  ASSERT_NO_FATAL_FAILURE(Create(escape, AppArmorYaml(escape, "profile ../../escape {\n}\n")));
  // Well named but not AppArmor: the real apparmor_parser -Q -K refuses it.
  const std::string broken = UniqueName("e2e-broken");
  ASSERT_NO_FATAL_FAILURE(
      Create(broken, AppArmorYaml(broken, "profile " + broken + " {\n  file\n  network\n}\n")));
  // Valid: Unsupported on nodes without AppArmor (the test roots).
  const std::string valid = UniqueName("e2e-valid");
  ASSERT_NO_FATAL_FAILURE(
      Create(valid, AppArmorYaml(valid, "profile " + valid + " {\n  file,\n  network,\n}\n")));

  std::map<std::string, std::optional<std::string>> failed, unsupported;
  for (auto& agent : agents_) {
    failed[agent->node()] = "Failed";
    unsupported[agent->node()] = "Unsupported";
  }
  ASSERT_TRUE(ReportSays(escape, failed)) << NodeReports().dump(2);
  ASSERT_TRUE(ReportSays(broken, failed)) << NodeReports().dump(2);
  ASSERT_TRUE(ReportSays(valid, unsupported)) << NodeReports().dump(2);
  const json report = NodeReports();
  for (auto& agent : agents_) {
    const auto results = NodeResults(report, agent->node());
    EXPECT_NE(results.at(escape).message.find("must declare `profile " + escape), std::string::npos)
        << results.at(escape).message;
    EXPECT_NE(results.at(escape).message.find("(it declares ../../escape)"), std::string::npos)
        << results.at(escape).message;
    EXPECT_EQ(results.at(escape).result, "fail");
    EXPECT_TRUE(results.at(broken).message.starts_with("apparmor_parser refused the policy"))
        << results.at(broken).message;
    EXPECT_EQ(results.at(valid).result, "skip");
    // Nothing of these on disk, and nothing outside the root's two folders.
    for (const std::string& name : {escape, broken, valid}) {
      EXPECT_FALSE(fs::exists(agent->AppArmorFile(name))) << agent->node() << " " << name;
    }
    for (const std::string& file : agent->Files()) {
      EXPECT_TRUE(file.starts_with("var/lib/kubelet/seccomp/containersecurity/") ||
                  file.starts_with("etc/apparmor.d/containersecurity/"))
          << agent->node() << ": " << file;
    }
  }
  EXPECT_FALSE(fs::exists(dir_ / "escape"));

  ASSERT_TRUE(Eventually(
      [&] {
        const json p = SecurityProfile(escape);
        return p.is_object() && p["status"].value("nodes", json::object()).value("failed", 0) ==
                                    static_cast<int>(agents_.size());
      },
      kWait))
      << SecurityProfile(escape).dump(2);
  const json ready = SecurityProfile(escape)["status"]["conditions"][0];
  EXPECT_EQ(ready["status"], "False");
  EXPECT_EQ(ready["reason"], "InstallFailed");
  ASSERT_TRUE(Eventually(
      [&] {
        const json p = SecurityProfile(valid);
        return p.is_object() &&
               p["status"].value("nodes", json::object()).value("unsupported", 0) ==
                   static_cast<int>(agents_.size());
      },
      kWait))
      << SecurityProfile(valid).dump(2);
  EXPECT_EQ(SecurityProfile(valid)["status"]["conditions"][0]["reason"], "Unsupported");
}

// The DaemonSet and the RBAC of config/agent are valid objects for this API server (server-side
// dry run: schema, defaults and admission, nothing created).
TEST_F(AgentTest, DeploymentManifestsAreAccepted) {
  CommandResult r = Kubectl({"apply", "--dry-run=server", "-k", RepoRoot() + "/config/agent"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("daemonset.apps/csp-agent"), std::string::npos) << r;
}

struct FileStamp {
  ino_t inode = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

FileStamp Stamp(const fs::path& path) {
  struct stat st = {};
  if (stat(path.c_str(), &st) != 0) return {};
  return {st.st_ino, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

TEST_F(AgentTest, RestartRewritesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  const std::string name = UniqueName("e2e-restart");
  ASSERT_NO_FATAL_FAILURE(Create(name, SeccompYaml(name)));
  std::map<std::string, std::optional<std::string>> everywhere;
  for (auto& agent : agents_) everywhere[agent->node()] = "Installed";
  ASSERT_TRUE(ReportSays("containersecurity/" + name + ".json", everywhere))
      << NodeReports().dump(2);
  ASSERT_TRUE(Eventually(
      [&] {
        const json p = SecurityProfile(name);
        return p.is_object() && p["status"].value("nodes", json::object()).value("installed", 0) ==
                                    static_cast<int>(agents_.size());
      },
      kWait));
  for (auto& agent : agents_) ASSERT_TRUE(Eventually([&] { return agent->StatusInSync(); }, kWait));

  std::map<std::string, FileStamp> before;
  for (auto& agent : agents_) {
    for (const fs::path& file : {agent->SeccompFile("csp-default"), agent->SeccompFile(name)}) {
      before[file.string()] = Stamp(file);
      ASSERT_NE(before[file.string()].inode, 0u) << file;
    }
  }
  std::map<std::string, json> report_versions;
  for (auto& agent : agents_) {
    report_versions[agent->node()] = NodeReportOf(agent->node())["metadata"]["resourceVersion"];
  }
  const std::string profile_version = SecurityProfile(name)["metadata"]["resourceVersion"];

  for (auto& agent : agents_) EXPECT_EQ(agent->Stop(), 0) << agent->node();
  ASSERT_NO_FATAL_FAILURE(StartAll());
  for (auto& agent : agents_) ASSERT_TRUE(Eventually([&] { return agent->StatusInSync(); }, kWait));

  for (const auto& [file, stamp] : before) EXPECT_EQ(Stamp(file), stamp) << file;
  for (auto& agent : agents_) {
    EXPECT_EQ(NodeReportOf(agent->node())["metadata"]["resourceVersion"],
              report_versions[agent->node()])
        << agent->node();
  }
  EXPECT_EQ(SecurityProfile(name)["metadata"]["resourceVersion"], profile_version);
  for (auto& agent : agents_) {
    const std::string metrics = agent->Metrics();
    EXPECT_EQ(Metric(metrics, "csp_agent_status_writes_total"), 0) << agent->node();
    EXPECT_EQ(Metric(metrics, "csp_agent_profile_installs_total{outcome=\"written\"}"), 0)
        << agent->node();
    EXPECT_GE(Metric(metrics, "csp_agent_profile_installs_total{outcome=\"unchanged\"}"), 2)
        << agent->node();
  }
}

}  // namespace
}  // namespace csp::e2e
