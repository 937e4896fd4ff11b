// The fixes the operator writes into failing results (docs/api.md "Result properties": `fix`,
// `patch`) applied to the live workload, a Deployment and a CronJob (its template deeper): each
// patch, sent as an RFC 6902 PATCH through the API, must be accepted, make its rule pass in the
// operator's next report, and change no other rule's verdict. Rounds as `cspctl fix` does them: one
// patch at a time, re-read from the report after each (a fix that waits for another, no privilege
// escalation on a privileged container, comes once that one is applied).
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "csp/kube/client.h"
#include "csp/kube/cpprest_transport.h"
#include "csp/kube/kubeconfig.h"
#include "gitops_fixture.h"  // PropertyOf

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A ceiling on a loaded 2-core machine, not an expectation.
constexpr auto kReconcile = 90s;

// Every fixable violation of docs/controls.md "Fixes", some on containers other than the
// first and in an init container, and one (privilege escalation) blocked by another. The init
// container's AppArmor profile is in the template's annotations (Create).
json ViolatingPodSpec() {
  // Fields the operator's compact cache drops (controllers/compact_workload.h) around the
  // ones the patches edit: the patches are computed against that copy.
  auto container = [](const std::string& name, json security) {
    return json{{"name", name},
                {"image", "registry.k8s.io/pause:3.10"},
                {"env", {{{"name", "MODE"}, {"value", "e2e"}}}},
                {"resources", {{"limits", {{"memory", "64Mi"}}}}},
                {"securityContext", security}};
  };
  json app = container("app", {{"privileged", true},
                               {"runAsUser", 1000},
                               {"capabilities", {{"add", {"NET_ADMIN", "NET_BIND_SERVICE"}}}},
                               {"seccompProfile", {{"type", "Unconfined"}}}});
  app["ports"] = {{{"containerPort", 8080}, {"name", "http"}}};
  app["readinessProbe"] = {{"httpGet", {{"path", "/ready"}, {"port", 8080}}}};
  return {{"terminationGracePeriodSeconds", 0},
          {"initContainers",
           {container("init", {{"runAsUser", 1002},
                               {"runAsNonRoot", true},
                               {"allowPrivilegeEscalation", false},
                               {"capabilities", {{"drop", {"NET_RAW"}}}}})}},
          {"containers",
           {app, container("side", {{"runAsUser", 1001},
                                    {"allowPrivilegeEscalation", true},
                                    {"appArmorProfile", {{"type", "Unconfined"}}}})}}};
}

json FixPolicySpec(const std::string& ns) {
  return {
      {"match", {{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns}}}}}}},
      {"action", "Audit"},
      {"controls",
       {{"privilegeEscalation", {{"enabled", true}}},
        {"capabilities", {{"requireDropAll", true}}},
        {"runAsNonRoot", {{"requireRunAsNonRoot", true}}}}}};
}

// A kind of workload the test patches, and where its pod template is.
struct Kind {
  std::string name = {};  // the test's name and the reports' kind
  kube::ResourceRef resource = {};
  nlohmann::json (*make)(const json& pod_spec) = nullptr;
  std::vector<std::string> template_path = {};
};

void PrintTo(const Kind& kind, std::ostream* os) { *os << kind.name; }

std::vector<Kind> Kinds() {
  return {{.name = "Deployment",
           .resource = {"apps", "v1", "deployments", true},
           .make = [](const json& pod) { return DeploymentObject("web", 1, pod); },
           .template_path = {"spec", "template"}},
          {.name = "CronJob",
           .resource = {"batch", "v1", "cronjobs", true},
           .make = [](const json& pod) { return CronJobObject("web", pod); },
           .template_path = {"spec", "jobTemplate", "spec", "template"}}};
}

// rule -> result of <kind>/web; empty while there is no report.
std::map<std::string, json> WebResults(const std::string& ns, const std::string& policy,
                                       const std::string& kind) {
  std::map<std::string, json> out;
  auto report = Report(ns, policy);
  if (!report) return out;
  for (const json& r : ResultsFor(*report, kind, "web")) out[r.value("rule", "")] = r;
  return out;
}

std::map<std::string, std::string> Verdicts(const std::map<std::string, json>& results) {
  std::map<std::string, std::string> out;
  for (const auto& [rule, r] : results) out[rule] = r.value("result", "");
  return out;
}

class OperatorFixPatchTest : public OperatorTest, public ::testing::WithParamInterface<Kind> {};

TEST_P(OperatorFixPatchTest, EachPatchMakesItsRulePassAndChangesNoOtherVerdict) {
  const Kind& kind = GetParam();
  auto config = kube::LoadKubeconfig(Kubeconfig());
  ASSERT_TRUE(config) << config.error().message;
  auto transport = kube::NewCpprestTransport(*config);
  ASSERT_TRUE(transport) << transport.error().message;
  kube::Client client(std::move(*transport), *config);

  StartOperator();
  ASSERT_FALSE(HasFailure());
  const std::string policy = CreatePolicy("fix", FixPolicySpec(ns()));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());
  json web = kind.make(ViolatingPodSpec());
  // The beta annotation: its fix edits it in place, through an escaped pointer (~1).
  json* tmpl = &web;
  for (const std::string& key : kind.template_path) tmpl = &(*tmpl)[key];
  (*tmpl)["metadata"]["annotations"] = {
      {"container.apparmor.security.beta.kubernetes.io/init", "unconfined"}};
  Create(web);
  ASSERT_FALSE(HasFailure());

  std::map<std::string, json> results;
  ASSERT_TRUE(Eventually(
      [&] {
        results = WebResults(ns(), policy, kind.name);
        return results.count(kPrivilegedRule) != 0;
      },
      kReconcile));
  const std::set<std::string> fixable = {"disallow-privileged", "require-seccomp",
                                         "require-apparmor",    "restrict-capabilities",
                                         "require-non-root",    "disallow-privilege-escalation"};
  for (const std::string& rule : fixable) {
    EXPECT_EQ(results[rule].value("result", ""), "fail") << rule << ": " << results[rule].dump(2);
  }

  std::set<std::string> fixed;
  for (int round = 0; round < 10; ++round) {
    // The first failing result carrying a patch, in rule order.
    std::string rule;
    json patch;
    for (const auto& [r, result] : results) {
      if (result.value("result", "") != "fail" || PropertyOf(result, "fix") != "patch") continue;
      rule = r;
      patch = json::parse(PropertyOf(result, "patch"), nullptr, /*allow_exceptions=*/false);
      break;
    }
    if (rule.empty()) break;
    SCOPED_TRACE("round " + std::to_string(round) + ", " + rule + ": " + patch.dump());
    ASSERT_TRUE(patch.is_array()) << results[rule].dump(2);
    const std::map<std::string, std::string> before = Verdicts(results);

    auto patched = client.Patch(kind.resource, ns(), "web", kube::PatchType::kJson, patch);
    ASSERT_TRUE(patched) << "the API server refused the operator's patch: "
                         << patched.error().message;
    ASSERT_TRUE(Eventually(
        [&] {
          results = WebResults(ns(), policy, kind.name);
          return results[rule].value("result", "") == "pass";
        },
        kReconcile))
        << results[rule].dump(2);
    std::map<std::string, std::string> after = Verdicts(results);
    std::map<std::string, std::string> expected = before;
    expected[rule] = "pass";
    EXPECT_EQ(after, expected);
    fixed.insert(rule);
  }
  EXPECT_EQ(fixed, fixable);
  for (const auto& [rule, result] : results) {
    if (result.value("result", "") == "fail") {
      ADD_FAILURE() << rule << " still fails: " << result.dump(2);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, OperatorFixPatchTest, ::testing::ValuesIn(Kinds()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::e2e
