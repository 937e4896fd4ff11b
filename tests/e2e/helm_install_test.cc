// The Helm chart and config/default installed the way a cluster admin does, against the real
// API server: `helm install` (every object accepted), the operator run as a local process under
// a token of the chart's ServiceAccount (the chart's RBAC is enough: it becomes Ready and writes
// reports), `helm upgrade` with changed values, `helm uninstall` (all but the CRDs); the chart
// packaged, pushed to an OCI registry on loopback and installed from there; and
// `kubectl apply -k config/default` (server-side dry run, moved to the test's namespace).
//
// The chart's ClusterRoles and ClusterRoleBindings have fixed names (csp-operator, csp-agent),
// so one release at a time: each test uninstalls its own, and SetUp removes any a failed run
// left behind, and config/'s objects of the same names (the tests run serially). helm comes from
// the test-tools cache (hack/build-test-tools.sh); the tests skip without it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "e2e_env.h"
#include "operator_harness.h"
#include "registry_harness.h"
#include "temp_dir.h"

namespace csp::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kChartVersion[] = "0.1.0";
constexpr char kPolicy[] = "chart-default";  // defaultPolicy.name
const std::set<std::string> kAgentExempted = {"require-apparmor", "restrict-capabilities",
                                              "require-non-root", "restrict-host-path"};

class HelmInstallTest : public E2ETest {
 protected:
  void SetUp() override {
    E2ETest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    bin_ = registry::testing::TestToolsBin();
    if (!bin_ || !fs::exists(*bin_ / "helm")) {
      GTEST_SKIP() << "no helm/registry in ~/.cache/csp-operator/test-tools/*/bin (run "
                      "hack/build-test-tools.sh, or set CSP_TEST_TOOLS_BIN)";
    }
    release_ = UniqueName("csp-e2e-chart");
    UninstallLeftovers();
    // The operator and agent tests apply config/rbac and config/agent, whose cluster-scoped
    // objects have the chart's names; Helm refuses to take over objects it did not create.
    // Those tests apply them again in their own SetUp (and never run beside this one).
    CommandResult r = Kubectl({"delete", "clusterrole,clusterrolebinding", "-l",
                               "app.kubernetes.io/part-of=csp-operator,"
                               "app.kubernetes.io/managed-by!=Helm",
                               "--ignore-not-found"});
    ASSERT_EQ(r.exit_code, 0) << r;
  }

  void TearDown() override {
    if (bin_) Helm({"uninstall", release_, "-n", ns(), "--ignore-not-found"});
    E2ETest::TearDown();
  }

  CommandResult Helm(std::vector<std::string> args) {
    std::vector<std::string> argv = {(*bin_ / "helm").string(), "--kubeconfig", Kubeconfig()};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv, "", 300);
  }

  fs::path Chart() const { return fs::path(RepoRoot()) / "charts/csp-operator"; }

  // Releases of this test binary a failed run left behind (their cluster-scoped objects would
  // make the next install fail).
  void UninstallLeftovers() {
    CommandResult list = Helm({"list", "-A", "-o", "json"});
    ASSERT_EQ(list.exit_code, 0) << list;
    for (const json& release : json::parse(list.out, nullptr, false)) {
      const std::string name = release.value("name", "");
      if (name.starts_with("csp-e2e-chart")) {
        Helm({"uninstall", name, "-n", release.value("namespace", ""), "--wait"});
      }
    }
  }

  // The release's manifest (helm get manifest).
  std::string Manifest() {
    CommandResult manifest = Helm({"get", "manifest", release_, "-n", ns()});
    EXPECT_EQ(manifest.exit_code, 0) << manifest;
    return manifest.out;
  }

  // The live objects of `manifest`; a failure names those the API server does not have.
  std::vector<json> LiveObjects(const std::string& manifest) {
    CommandResult r = Kubectl({"get", "-f", "-", "-o", "json"}, manifest);
    EXPECT_EQ(r.exit_code, 0) << "not all objects of the release are in the cluster: " << r;
    const json list = json::parse(r.out, nullptr, false);
    if (list.is_discarded()) return {};
    return list.value("items", json::array());
  }

  // The objects of `manifest` the API server still has ("kind/name" lines).
  std::string Remaining(const std::string& manifest) {
    CommandResult r = Kubectl({"get", "-f", "-", "--ignore-not-found", "-o", "name"}, manifest);
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.out;
  }

  // A kubeconfig holding a token of ns()'s ServiceAccount `account`, as its Pods would run.
  std::string TokenKubeconfig(const std::string& account) {
    const std::string path = BuildDir() + "/e2e-helm/" + account + ".kubeconfig";
    fs::create_directories(fs::path(path).parent_path());
    CommandResult view = Kubectl({"config", "view", "--raw", "--minify", "--flatten"});
    EXPECT_EQ(view.exit_code, 0) << view;
    test::WriteText(path, view.out);
    CommandResult token = Kubectl({"create", "token", account, "-n", ns(), "--duration", "1h"});
    EXPECT_EQ(token.exit_code, 0) << token;
    std::string bearer = token.out;
    while (!bearer.empty() && bearer.back() == '\n') bearer.pop_back();
    const std::vector<std::string> set_user = {KubectlPath(),      "--kubeconfig",    path,
                                               "config",           "set-credentials", "sa",
                                               "--token=" + bearer};
    const std::vector<std::string> use_user = {KubectlPath(), "--kubeconfig", path,       "config",
                                               "set-context", "--current",    "--user=sa"};
    EXPECT_EQ(Run(set_user).exit_code, 0);
    EXPECT_EQ(Run(use_user).exit_code, 0);
    return path;
  }

  std::optional<fs::path> bin_;
  std::string release_;
};

TEST_F(HelmInstallTest, InstallRunUpgradeUninstall) {
  CommandResult install = Helm({"install", release_, Chart().string(), "-n", ns()});
  ASSERT_EQ(install.exit_code, 0) << install;
  std::set<std::string> kinds;
  for (const json& object : LiveObjects(Manifest())) kinds.insert(object.value("kind", ""));
  for (const char* kind : {"Deployment", "DaemonSet", "ClusterRole", "ContainerSecurityPolicy",
                           "ServiceAccount", "PodDisruptionBudget"}) {
    EXPECT_TRUE(kinds.contains(kind)) << kind << " not installed";
  }

  // The operator under the chart's ServiceAccount: its RBAC is enough to become Ready and
  // write the default policy's report, in which the agent's needs are exempted.
  {
    OperatorProcess op(TokenKubeconfig("csp-operator"),
                       BuildDir() + "/e2e-helm/" + release_ + ".log",
                       {.extra_args = {"--lease-namespace", ns()}});
    ASSERT_TRUE(op.Start());
    EXPECT_TRUE(op.WaitFor200("/readyz", 60s)) << op.LogTail();
    std::optional<json> report;
    EXPECT_TRUE(Eventually(
        [&] {
          report = Report(ns(), kPolicy);
          if (!report) return false;
          const std::vector<std::string> names = ReportedNames(*report);
          return std::find(names.begin(), names.end(), "csp-operator") != names.end() &&
                 std::find(names.begin(), names.end(), "csp-agent") != names.end();
        },
        60s))
        << "no report csp-" << kPolicy << " naming the operator and the agent in " << ns() << "\n"
        << op.LogTail();
    if (report) {
      for (const json& result : ResultsFor(*report, "DaemonSet", "csp-agent")) {
        if (kAgentExempted.contains(result.value("rule", ""))) {
          EXPECT_EQ(result.value("result", ""), "skip") << result.dump();
        } else {
          EXPECT_NE(result.value("result", ""), "fail") << result.dump();
        }
      }
      for (const json& result : ResultsFor(*report, "Deployment", "csp-operator")) {
        EXPECT_NE(result.value("result", ""), "fail") << result.dump();
      }
    }
    EXPECT_EQ(op.Stop(), 0) << op.LogTail();
  }

  // Upgrade: what the values say changes, and only that.
  CommandResult upgrade =
      Helm({"upgrade", release_, Chart().string(), "-n", ns(), "--reuse-values", "--set",
            "operator.workers=2", "--set", "agent.enabled=false", "--set",
            "defaultPolicy.action=Label", "--set", "webhook.timeoutSeconds=7"});
  ASSERT_EQ(upgrade.exit_code, 0) << upgrade;
  const json deployment = KubectlJson({"get", "deployment/csp-operator", "-n", ns()});
  const json args = deployment["spec"]["template"]["spec"]["containers"][0]["args"];
  EXPECT_NE(std::find(args.begin(), args.end(), "--workers=2"), args.end()) << args;
  EXPECT_NE(std::find(args.begin(), args.end(), "--webhook-timeout-seconds=7"), args.end()) << args;
  EXPECT_EQ(KubectlJson({"get", "csp", kPolicy})["spec"]["action"], "Label");
  EXPECT_FALSE(TryGet("daemonset", ns(), "csp-agent")) << "agent.enabled=false keeps the agent";
  EXPECT_FALSE(TryGet("clusterrole", "", "csp-agent"));
  EXPECT_FALSE(KubectlJson({"get", "csp", kPolicy})["spec"].contains("exemptions"));

  // Uninstall: everything but the CRDs.
  const std::string upgraded = Manifest();
  CommandResult uninstall = Helm({"uninstall", release_, "-n", ns(), "--wait"});
  ASSERT_EQ(uninstall.exit_code, 0) << uninstall;
  EXPECT_EQ(Remaining(upgraded), "") << "left by helm uninstall";
  for (const char* crd :
       {"containersecuritypolicies.containersecurity.dev", "securityprofiles.containersecurity.dev",
        "policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io"}) {
    EXPECT_TRUE(TryGet("crd", "", crd)) << crd << " removed by helm uninstall";
  }
}

TEST_F(HelmInstallTest, PackagePushAndInstallFromOci) {
  registry::testing::RegistryProcess registry(*bin_, {});
  ASSERT_EQ(registry.error(), "");
  test::TempDir dir;
  CommandResult package = Helm({"package", Chart().string(), "-d", dir.path().string()});
  ASSERT_EQ(package.exit_code, 0) << package;
  const fs::path archive = dir.path() / (std::string("csp-operator-") + kChartVersion + ".tgz");
  ASSERT_TRUE(fs::exists(archive)) << package;

  const std::string repo = "oci://" + registry.host() + "/charts";
  CommandResult push = Helm({"push", archive.string(), repo, "--plain-http"});
  ASSERT_EQ(push.exit_code, 0) << push;
  CommandResult install = Helm({"install", release_, repo + "/csp-operator", "--version",
                                kChartVersion, "--plain-http", "-n", ns()});
  ASSERT_EQ(install.exit_code, 0) << install;
  EXPECT_GT(LiveObjects(Manifest()).size(), 10u);
  EXPECT_TRUE(TryGet("daemonset", ns(), "csp-agent"));
  CommandResult uninstall = Helm({"uninstall", release_, "-n", ns(), "--wait"});
  EXPECT_EQ(uninstall.exit_code, 0) << uninstall;
}

// config/default as one unit, moved to the test's namespace by an overlay (as docs/install.md
// shows), accepted by the API server; and config/crd alone, which needs no kustomize flag.
TEST_F(HelmInstallTest, KustomizeDefaultIsAccepted) {
  test::TempDir overlay;
  const fs::path base = fs::relative(fs::path(RepoRoot()) / "config/default", overlay.path());
  test::WriteText(overlay.path() / "kustomization.yaml",
                  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                  "namespace: " +
                      ns() + "\nresources:\n  - " + base.string() + "\n");
  CommandResult r = Kubectl({"apply", "--server-side", "--force-conflicts", "--dry-run=server",
                             "-k", overlay.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r;
  for (const char* object :
       {"customresourcedefinition.apiextensions.k8s.io/containersecuritypolicies",
        "deployment.apps/csp-operator", "daemonset.apps/csp-agent",
        "clusterrole.rbac.authorization.k8s.io/csp-operator",
        "poddisruptionbudget.policy/csp-operator", "service/csp-operator-webhook"}) {
    EXPECT_NE(r.out.find(object), std::string::npos) << object << " missing: " << r;
  }
  CommandResult crds = Kubectl({"apply", "--dry-run=server", "-k", RepoRoot() + "/config/crd"});
  EXPECT_EQ(crds.exit_code, 0) << crds;
}

}  // namespace
}  // namespace csp::e2e
