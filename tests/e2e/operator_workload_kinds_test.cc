// Custom workload kinds against the real control plane (docs/api.md "WorkloadKind"), with the
// real CRDs of Argo Rollouts and the Kubeflow training operator (hack/fetch-workload-crds.sh)
// and the WorkloadKinds and RBAC of examples/workload-kinds/: the operator discovers and
// watches the declared kinds at run time, reports each pod template, labels, scales a Rollout
// to 0 through /scale and restores it when fixed, and says in status when a kind is missing.
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kReconcile = 60s;
// A kind whose CRD is missing is looked for again every 30 s (queue_keys.h).
constexpr auto kRediscovery = 90s;
const std::string kWorkloadKinds = "workloadkinds.containersecurity.dev";

// The folder of the cached CRDs (fetched once, then reused without the network).
std::string CrdFolder() {
  CommandResult r = ::csp::e2e::Run({"bash", RepoRoot() + "/hack/fetch-workload-crds.sh"});
  EXPECT_EQ(r.exit_code, 0) << r;
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

void InstallCrd(const std::string& file, const std::string& name) {
  // Server-side: these CRDs are too large for kubectl's last-applied annotation.
  CommandResult r = Kubectl({"apply", "--server-side", "--force-conflicts", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << r;
  ASSERT_TRUE(WaitCrdsEstablished({name}));
}

// The WorkloadKind and its aggregated ClusterRole, as a cluster admin applies them.
void ApplyExample(const std::string& file) {
  CommandResult r = Kubectl({"apply", "-f", RepoRoot() + "/examples/workload-kinds/" + file});
  ASSERT_EQ(r.exit_code, 0) << r;
}

json Ready(const json& object) {
  for (const json& c : object.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") return c;
  }
  return json::object();
}

// The result of `rule` on kind/name's pod template `pod_template`, or null.
json TemplateResult(const json& report, const std::string& kind, const std::string& name,
                    const std::string& pod_template, const std::string& rule) {
  for (const json& result : ResultsFor(report, kind, name)) {
    if (result.value("rule", "") != rule) continue;
    if (result.value("properties", json::object()).value("podTemplate", "") == pod_template) {
      return result;
    }
  }
  return json();
}

class OperatorWorkloadKindsTest : public OperatorTest {
 protected:
  void TearDown() override {
    for (const std::string& name : workload_kinds_) {
      Kubectl({"delete", kWorkloadKinds, name, "--ignore-not-found", "--wait=false"});
    }
    OperatorTest::TearDown();
  }
  // Deleted in TearDown (the CRDs and ClusterRoles stay: cluster-wide and harmless).
  void Declared(const std::string& name) { workload_kinds_.push_back(name); }
  // Applies a WorkloadKind whose pod template is at spec.template (deleted after the test).
  void DeclareKind(const std::string& name, const std::string& group, const std::string& version,
                   const std::string& kind) {
    CommandResult r =
        Kubectl({"apply", "-f", "-"}, json{{"apiVersion", "containersecurity.dev/v1alpha1"},
                                           {"kind", "WorkloadKind"},
                                           {"metadata", {{"name", name}}},
                                           {"spec",
                                            {{"group", group},
                                             {"version", version},
                                             {"kind", kind},
                                             {"podTemplatePaths", {"spec.template"}}}}}
                                          .dump());
    ASSERT_EQ(r.exit_code, 0) << r;
    Declared(name);
  }

  json WaitKindReady(const std::string& name, const std::string& reason,
                     std::chrono::seconds timeout) {
    json kind;
    EXPECT_TRUE(Eventually(
        [&] {
          kind = TryGet(kWorkloadKinds, "", name).value_or(json());
          return Ready(kind).value("reason", "") == reason;
        },
        timeout))
        << "WorkloadKind " << name << " never " << reason << ": " << kind.dump(2);
    return kind;
  }

 private:
  std::vector<std::string> workload_kinds_;
};

json Rollout(const std::string& name, int replicas, const json& pod_spec) {
  return {{"apiVersion", "argoproj.io/v1alpha1"},
          {"kind", "Rollout"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"strategy", {{"canary", json::object()}}},
            {"template", {{"metadata", {{"labels", {{"app", name}}}}}, {"spec", pod_spec}}}}}};
}

TEST_F(OperatorWorkloadKindsTest, RolloutIsScaledToZeroThroughScaleAndRestoredWhenFixed) {
  const std::string crds = CrdFolder();
  ASSERT_FALSE(HasFailure());
  InstallCrd(crds + "/argo-rollouts/rollout-crd.yaml", "rollouts.argoproj.io");
  ApplyExample("argo-rollouts.yaml");
  Declared("rollouts.argoproj.io");
  ASSERT_FALSE(HasFailure());
  OperatorProcess* op = StartOperator();
  ASSERT_FALSE(HasFailure());
  const json kind = WaitKindReady("rollouts.argoproj.io", "Watching", kReconcile);
  EXPECT_EQ(kind["status"].value("resource", ""), "rollouts") << kind.dump(2);
  EXPECT_EQ(kind["status"].value("scaleSubresource", false), true) << kind.dump(2);

  const std::string policy = CreatePolicy("rollouts", PrivilegedOnlyPolicySpec(ns(), "ScaleDown"));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());
  Create(Rollout("web", 3, PodSpec(/*privileged=*/true)));
  ASSERT_FALSE(HasFailure());
  auto web = TryGet("rollouts.argoproj.io", ns(), "web");
  ASSERT_TRUE(web.has_value());
  // A ReplicaSet the Rollout controls is reported on the Rollout, never on its own.
  json rs = DeploymentObject("web-6d4f", 0, PodSpec(/*privileged=*/true));
  rs["apiVersion"] = "apps/v1";
  rs["kind"] = "ReplicaSet";
  rs["spec"].erase("strategy");
  rs["metadata"]["ownerReferences"] = json::array({{{"apiVersion", "argoproj.io/v1alpha1"},
                                                    {"kind", "Rollout"},
                                                    {"name", "web"},
                                                    {"uid", (*web)["metadata"]["uid"]},
                                                    {"controller", true}}});
  Create(rs);
  ASSERT_FALSE(HasFailure());

  EXPECT_TRUE(WaitObject(
      "rollouts.argoproj.io", "web", "scaled to 0 with the record, labeled non-compliant",
      [](const json& o) {
        return o["spec"].value("replicas", -1) == 0 &&
               AnnotationOf(o, kScaledDownFromAnnotation) == "3" &&
               LabelOf(o, kCompliantLabel) == "false" &&
               AnnotationOf(o, kViolationsAnnotation) == kPrivilegedRule;
      },
      kReconcile));
  json report;
  ASSERT_TRUE(Eventually(
      [&] {
        report = Report(ns(), policy).value_or(json());
        return !TemplateResult(report, "Rollout", "web", "spec.template", kPrivilegedRule)
                    .is_null();
      },
      kReconcile))
      << report.dump(2);
  const json result = TemplateResult(report, "Rollout", "web", "spec.template", kPrivilegedRule);
  EXPECT_EQ(result.value("result", ""), "fail") << result.dump(2);
  EXPECT_EQ(result["properties"].value("remediation", ""), "scaled-down from 3 replicas")
      << result.dump(2);
  EXPECT_EQ(result["resources"][0].value("apiVersion", ""), "argoproj.io/v1alpha1");
  EXPECT_TRUE(ResultsFor(report, "ReplicaSet", "web-6d4f").empty()) << report.dump(2);
  EXPECT_TRUE(Eventually(
      [&] { return OperatorEvents(ns(), "Rollout", "web").count("ScaledDown") != 0; }, kReconcile));
  // Its informer is on /metrics beside the built-in kinds'.
  EXPECT_EQ(SumMetric(op->Metrics(), "csp_cache_objects", {{"resource", "rollouts.argoproj.io"}}),
            1);
  // Scaled down and settled: passes go on (each reads /scale; the 30 s rediscovery) and change
  // nothing: the Rollout, its report and its WorkloadKind stay as they are.
  auto versions = [&] {
    std::vector<std::string> out;
    for (const auto& [resource, ns, name] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"rollouts.argoproj.io", ns(), "web"},
             {"policyreports.wgpolicyk8s.io", ns(), "csp-" + policy},
             {kWorkloadKinds, "", "rollouts.argoproj.io"}}) {
      out.push_back(TryGet(resource, ns, name)
                        .value_or(json::object())
                        .value("metadata", json::object())
                        .value("resourceVersion", "gone"));
    }
    return out;
  };
  const auto before = versions();
  std::this_thread::sleep_for(35s);
  EXPECT_EQ(versions(), before) << op->LogTail();

  Patch("rollouts.argoproj.io", "web",
        json::array({{{"op", "replace"},
                      {"path", "/spec/template/spec/containers/0/securityContext/privileged"},
                      {"value", false}}}),
        "json");
  EXPECT_TRUE(WaitObject(
      "rollouts.argoproj.io", "web", "restored to 3 through /scale, labeled compliant",
      [](const json& o) {
        return o["spec"].value("replicas", -1) == 3 &&
               !HasAnnotation(o, kScaledDownFromAnnotation) &&
               LabelOf(o, kCompliantLabel) == "true";
      },
      kReconcile));
  EXPECT_TRUE(Eventually(
      [&] {
        report = Report(ns(), policy).value_or(json());
        return TemplateResult(report, "Rollout", "web", "spec.template", kPrivilegedRule)
                   .value("result", "") == "pass";
      },
      kReconcile))
      << report.dump(2);
  EXPECT_TRUE(ResultsFor(report, "ReplicaSet", "web-6d4f").empty()) << report.dump(2);
  EXPECT_TRUE(Eventually(
      [&] { return OperatorEvents(ns(), "Rollout", "web").count("Restored") != 0; }, kReconcile));
}

TEST_F(OperatorWorkloadKindsTest, PyTorchJobResultsNameTheReplicaType) {
  const std::string crds = CrdFolder();
  ASSERT_FALSE(HasFailure());
  InstallCrd(crds + "/kubeflow/kubeflow.org_pytorchjobs.yaml", "pytorchjobs.kubeflow.org");
  ApplyExample("kubeflow-training.yaml");
  Declared("pytorchjobs.kubeflow.org");
  ASSERT_FALSE(HasFailure());
  StartOperator();
  ASSERT_FALSE(HasFailure());
  WaitKindReady("pytorchjobs.kubeflow.org", "Watching", kReconcile);
  const std::string policy = CreatePolicy("training", PrivilegedOnlyPolicySpec(ns(), "Label"));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());
  auto replica = [](const json& pod_spec) {
    return json{
        {"replicas", 1}, {"restartPolicy", "OnFailure"}, {"template", {{"spec", pod_spec}}}};
  };
  Create({{"apiVersion", "kubeflow.org/v1"},
          {"kind", "PyTorchJob"},
          {"metadata", {{"name", "train"}}},
          {"spec",
           {{"pytorchReplicaSpecs",
             {{"Master", replica(PodSpec(/*privileged=*/false))},
              {"Worker", replica(PodSpec(/*privileged=*/true))}}}}}});
  ASSERT_FALSE(HasFailure());

  json report;
  ASSERT_TRUE(Eventually(
      [&] {
        report = Report(ns(), policy).value_or(json());
        return !TemplateResult(report, "PyTorchJob", "train", "Worker", kPrivilegedRule)
                    .is_null() &&
               !TemplateResult(report, "PyTorchJob", "train", "Master", kPrivilegedRule).is_null();
      },
      kReconcile))
      << report.dump(2);
  EXPECT_EQ(
      TemplateResult(report, "PyTorchJob", "train", "Worker", kPrivilegedRule).value("result", ""),
      "fail");
  EXPECT_EQ(
      TemplateResult(report, "PyTorchJob", "train", "Master", kPrivilegedRule).value("result", ""),
      "pass");
  EXPECT_TRUE(WaitObject(
      "pytorchjobs.kubeflow.org", "train", "labeled non-compliant",
      [](const json& o) { return LabelOf(o, kCompliantLabel) == "false"; }, kReconcile));

  // The declaration changes at run time: with the Master's template only, the Worker's results
  // go and the job complies.
  CommandResult r =
      Kubectl({"patch", kWorkloadKinds, "pytorchjobs.kubeflow.org", "--type=merge", "-p",
               json{{"spec", {{"podTemplatePaths", {"spec.pytorchReplicaSpecs.Master.template"}}}}}
                   .dump()});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(Eventually(
      [&] {
        report = Report(ns(), policy).value_or(json());
        return TemplateResult(report, "PyTorchJob", "train", "Worker", kPrivilegedRule).is_null() &&
               !TemplateResult(report, "PyTorchJob", "train",
                               "spec.pytorchReplicaSpecs.Master.template", kPrivilegedRule)
                    .is_null();
      },
      kReconcile))
      << report.dump(2);
  EXPECT_TRUE(WaitObject(
      "pytorchjobs.kubeflow.org", "train", "labeled compliant",
      [](const json& o) { return LabelOf(o, kCompliantLabel) == "true"; }, kReconcile));
}

TEST_F(OperatorWorkloadKindsTest, KindsItCannotWatchAreStatusesAndEverythingElseGoesOn) {
  DeclareKind("widgets.example.com", "example.com", "v1", "Widget");
  // Served and namespaced, but config/rbac grants csp-operator Leases in csp-system only.
  DeclareKind("leases.coordination.k8s.io", "coordination.k8s.io", "v1", "Lease");
  // Served, cluster-scoped: its results would have no namespace's report to go to.
  DeclareKind("apiservices.apiregistration.k8s.io", "apiregistration.k8s.io", "v1", "APIService");
  StartOperator();
  ASSERT_FALSE(HasFailure());
  const json kind = WaitKindReady("widgets.example.com", "NotInstalled", kReconcile);
  EXPECT_EQ(Ready(kind).value("status", ""), "False") << kind.dump(2);
  EXPECT_NE(Ready(kind).value("message", "").find("Widget"), std::string::npos) << kind.dump(2);
  const json forbidden = WaitKindReady("leases.coordination.k8s.io", "Forbidden", kReconcile);
  EXPECT_EQ(forbidden["status"].value("resource", ""), "leases") << forbidden.dump(2);
  const json cluster_scoped =
      WaitKindReady("apiservices.apiregistration.k8s.io", "InvalidSpec", kReconcile);
  EXPECT_NE(Ready(cluster_scoped).value("message", "").find("cluster-scoped"), std::string::npos)
      << cluster_scoped.dump(2);
  // The built-in kinds are reported as ever.
  const std::string policy = CreatePolicy("widgets", PrivilegedOnlyPolicySpec(ns(), "Label"));
  Create(DeploymentObject("web", 1, PodSpec(/*privileged=*/true)));
  EXPECT_TRUE(Eventually(
      [&] { return ResultOf(ns(), policy, "Deployment", "web", kPrivilegedRule) == "fail"; },
      kRediscovery));
}

}  // namespace
}  // namespace csp::e2e
