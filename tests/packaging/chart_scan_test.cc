// The chart's workloads, rendered with the default values, scanned by `cspctl scan` with the
// strict example policy (examples/policies/strict.yaml) in a namespace it selects: the operator's
// own Deployment passes every rule; the agent's DaemonSet fails exactly the rules its job needs
// (docs/agent.md), and the chart's own default policy exempts exactly those.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "packaging_tools.h"
#include "temp_dir.h"

namespace csp::packaging {
namespace {

// What the agent must do (config/agent/daemonset.yaml): run as root, add CAP_MAC_ADMIN, run
// AppArmor Unconfined and mount the profile folders and securityfs from the host.
const std::set<std::string> kAgentNeeds = {"require-apparmor", "restrict-capabilities",
                                           "require-non-root", "restrict-host-path"};
constexpr char kSignatureRule[] = "require-image-signature";
constexpr char kDigest[] =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// The strict policy selects namespaces labeled security.example.com/tier=restricted.
constexpr char kRestrictedNamespace[] = R"(apiVersion: v1
kind: Namespace
metadata:
  name: csp-system
  labels: {security.example.com/tier: restricted}
)";

class ChartScanTest : public PackagingTest {
 protected:
  // rule -> result of `kind`/name in the reports of scanning `rendered` with `policy`.
  std::map<std::string, std::string> Results(const std::string& rendered,
                                             const std::filesystem::path& policy,
                                             const std::string& kind, const std::string& name) {
    test::WriteText(dir_.path() / "namespace.yaml", kRestrictedNamespace);
    test::WriteText(dir_.path() / "chart.yaml", rendered);
    const test::CommandResult r = test::Run(
        {CSPCTL_PATH, "scan", "-o", "json", "-p", policy.string(),
         (dir_.path() / "namespace.yaml").string(), (dir_.path() / "chart.yaml").string()});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r;
    std::map<std::string, std::string> results;
    const nlohmann::json reports = nlohmann::json::parse(r.out, nullptr, false);
    for (const nlohmann::json& report : reports.value("items", nlohmann::json::array())) {
      for (const nlohmann::json& result : report["results"]) {
        const nlohmann::json& resource = result["resources"][0];
        if (resource["kind"] == kind && resource["name"] == name) {
          results[result["rule"]] = result["result"];
        }
      }
    }
    EXPECT_FALSE(results.empty()) << kind << "/" << name << " not scanned: " << r;
    return results;
  }

  std::set<std::string> Failing(const std::map<std::string, std::string>& results) {
    std::set<std::string> rules;
    for (const auto& [rule, result] : results) {
      if (result == "fail" || result == "error") rules.insert(rule);
    }
    return rules;
  }

  std::string Render(const std::vector<std::string>& args = {}) {
    const test::CommandResult r = HelmTemplate(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.out;
  }

  std::filesystem::path Strict() const { return RepoRoot() / "examples/policies/strict.yaml"; }

  test::TempDir dir_;
};

// With the default values only the image reference fails: a tag, not a digest, from a registry
// the example does not list. Pinned by digest from a listed registry, nothing fails.
TEST_F(ChartScanTest, OperatorPassesTheStrictPolicy) {
  EXPECT_EQ(Failing(Results(Render(), Strict(), "Deployment", "csp-operator")),
            std::set<std::string>{kSignatureRule});
  const std::string pinned = Render({"--set", "image.repository=ghcr.io/acme/csp-operator", "--set",
                                     std::string("image.digest=") + kDigest});
  EXPECT_EQ(Failing(Results(pinned, Strict(), "Deployment", "csp-operator")),
            std::set<std::string>{});
}

TEST_F(ChartScanTest, AgentFailsOnlyWhatItsJobNeeds) {
  const std::string pinned = Render({"--set", "image.repository=ghcr.io/acme/csp-operator", "--set",
                                     std::string("image.digest=") + kDigest});
  EXPECT_EQ(Failing(Results(pinned, Strict(), "DaemonSet", "csp-agent")), kAgentNeeds);
}

TEST_F(ChartScanTest, DefaultPolicyExemptsTheAgentWithAReason) {
  const std::string rendered = Render();
  nlohmann::json policy;
  for (const nlohmann::json& object : ParseYaml(rendered)) {
    if (object.value("kind", "") == "ContainerSecurityPolicy") policy = object;
  }
  ASSERT_FALSE(policy.is_null()) << "the chart renders no default policy";
  EXPECT_NE(policy["metadata"]["name"], "baseline") << "collides with examples/policies/";
  const nlohmann::json& exemptions = policy["spec"]["exemptions"];
  ASSERT_EQ(exemptions.size(), 1u) << policy.dump(2);
  EXPECT_EQ(std::set<std::string>(exemptions[0]["rules"].begin(), exemptions[0]["rules"].end()),
            kAgentNeeds);
  EXPECT_GT(exemptions[0].value("reason", "").size(), 40u) << "the reason must explain";

  test::WriteText(dir_.path() / "default-policy.json", policy.dump());
  const auto agent =
      Results(rendered, dir_.path() / "default-policy.json", "DaemonSet", "csp-agent");
  EXPECT_EQ(Failing(agent), std::set<std::string>{});
  for (const std::string& rule : kAgentNeeds) {
    EXPECT_EQ(agent.at(rule), "skip") << rule << " is not exempted";
  }
  EXPECT_EQ(
      Failing(Results(rendered, dir_.path() / "default-policy.json", "Deployment", "csp-operator")),
      std::set<std::string>{});
}

// Without the agent there is nothing to exempt.
TEST_F(ChartScanTest, DefaultPolicyWithoutAgentHasNoExemption) {
  for (const nlohmann::json& object : ParseYaml(Render({"--set", "agent.enabled=false"}))) {
    EXPECT_NE(object.value("kind", ""), "DaemonSet");
    if (object.value("kind", "") == "ContainerSecurityPolicy") {
      EXPECT_FALSE(object["spec"].contains("exemptions")) << object.dump(2);
    }
  }
}

}  // namespace
}  // namespace csp::packaging
