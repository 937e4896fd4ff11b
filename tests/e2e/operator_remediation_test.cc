// The operator's remediation of each workload kind, against the real control plane (api.md
// "Actions"): a violator gets a fail result; under Label it is labeled
// containersecurity.dev/compliant=false with its violations; under ScaleDown it is taken out of
// service (Deployment and StatefulSet to 0 replicas, DaemonSet quarantined by nodeSelector,
// CronJob suspended; a bare Pod only labeled) and its Pods go away; fixing its template restores
// it; deleting it removes its results. Events and properties.remediation record what was done.
//
// Each case's policy enables only the privileged control, so a workload violates exactly when
// its container is privileged.
#include <string>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Generous bounds for what the issue gives no bound for: the operator acting, the controller
// manager and kwok moving Pods. They are ceilings on a loaded 2-core machine, not expectations.
constexpr auto kReconcile = 60s;
constexpr auto kPods = 120s;
// The bound for labeling a violator under the Label action. It is the specification
// (issue 4), not a measurement, hence asserted as such rather than "eventually".
constexpr auto kLabelBound = 5s;

int NodeCount() { return std::stoi(EnvVar("CSP_E2E_NODES").value_or("3")); }

// One workload kind and what taking it out of service and back looks like.
struct KindCase {
  std::string name = {};      // test name suffix
  std::string kind = {};      // as in report results and Events
  std::string resource = {};  // for kubectl
  std::function<json(const std::string& name, bool privileged)> make = {};
  // JSON pointer of the container's securityContext.privileged (empty: immutable, a Pod).
  std::string privileged_path = {};
  // Out of service as the operator leaves it, with the previous value recorded.
  std::function<bool(const json&)> out_of_service = {};
  std::function<bool(const json& scaled_down_from)> recorded = {};
  // Back in service with the user's value.
  std::function<bool(const json&)> in_service = {};
  int pods_in_service = 0;  // live Pods when in service (-1: none expected, a CronJob)
  std::string scaled_down_remediation = {};  // in properties.remediation under ScaleDown
};

// gtest prints parameters of failed tests; the case's name says it all.
void PrintTo(const KindCase& c, std::ostream* os) { *os << c.name; }

json NodeSelectorOf(const json& object) {
  return object["spec"]["template"]["spec"].value("nodeSelector", json::object());
}

std::vector<KindCase> Cases() {
  const std::string template_path = "/spec/template/spec/containers/0/securityContext/privileged";
  auto replicas = [](const json& o) { return o["spec"].value("replicas", -1); };
  return {
      {.name = "Deployment",
       .kind = "Deployment",
       .resource = "deployments.apps",
       .make = [](const std::string& n,
                  bool privileged) { return DeploymentObject(n, 2, PodSpec(privileged)); },
       .privileged_path = template_path,
       .out_of_service = [=](const json& o) { return replicas(o) == 0; },
       .recorded = [](const json& from) { return from == json(2); },
       .in_service = [=](const json& o) { return replicas(o) == 2; },
       .pods_in_service = 2,
       .scaled_down_remediation = "scaled-down from 2 replicas"},
      {.name = "StatefulSet",
       .kind = "StatefulSet",
       .resource = "statefulsets.apps",
       .make = [](const std::string& n,
                  bool privileged) { return StatefulSetObject(n, 2, PodSpec(privileged)); },
       .privileged_path = template_path,
       .out_of_service = [=](const json& o) { return replicas(o) == 0; },
       .recorded = [](const json& from) { return from == json(2); },
       .in_service = [=](const json& o) { return replicas(o) == 2; },
       .pods_in_service = 2,
       .scaled_down_remediation = "scaled-down from 2 replicas"},
      {.name = "DaemonSet",
       .kind = "DaemonSet",
       .resource = "daemonsets.apps",
       .make =
           [](const std::string& n, bool privileged) {
             json ds = DaemonSetObject(n, PodSpec(privileged));
             ds["spec"]["template"]["spec"]["nodeSelector"] = {{"type", "kwok"}};
             return ds;
           },
       .privileged_path = template_path,
       // The quarantine key is added; the user's own selector stays beside it.
       .out_of_service =
           [](const json& o) {
             return NodeSelectorOf(o) == json{{"type", "kwok"}, {kQuarantineKey, "true"}};
           },
       // The previous nodeSelector, as JSON.
       .recorded =
           [](const json& from) {
             return from == json{{"type", "kwok"}};
           },
       .in_service =
           [](const json& o) {
             return NodeSelectorOf(o) == json{{"type", "kwok"}};
           },
       .pods_in_service = NodeCount(),
       .scaled_down_remediation = "quarantined"},
      {.name = "CronJob",
       .kind = "CronJob",
       .resource = "cronjobs.batch",
       .make = [](const std::string& n,
                  bool privileged) { return CronJobObject(n, PodSpec(privileged)); },
       .privileged_path = "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/"
                          "privileged",
       .out_of_service = [](const json& o) { return o["spec"].value("suspend", false); },
       .recorded = [](const json& from) { return from == json(false); },
       .in_service = [](const json& o) { return !o["spec"].value("suspend", true); },
       .pods_in_service = -1,
       .scaled_down_remediation = "suspended"},
      {.name = "Pod",
       .kind = "Pod",
       .resource = "pods",
       .make = [](const std::string& n,
                  bool privileged) { return PodObject(n, PodSpec(privileged)); },
       .privileged_path = "",
       .out_of_service = {},
       .recorded = {},
       .in_service = {},
       .pods_in_service = 1,
       .scaled_down_remediation = "labeled"},
  };
}

// The annotation's value, parsed as JSON when it is JSON (numbers, false, objects), else as
// the string itself.
json RecordedValue(const json& object) {
  const std::string text = AnnotationOf(object, kScaledDownFromAnnotation);
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json(text) : parsed;
}

bool LabeledViolating(const json& o) {
  return LabelOf(o, kCompliantLabel) == "false" &&
         AnnotationOf(o, kViolationsAnnotation) == kPrivilegedRule;
}

bool LabeledCompliant(const json& o) {
  return LabelOf(o, kCompliantLabel) == "true" && !HasAnnotation(o, kViolationsAnnotation);
}

class OperatorRemediationTest : public OperatorTest,
                                public ::testing::WithParamInterface<KindCase> {
 protected:
  // The workload's result for disallow-privileged and, when failing, its remediation.
  ::testing::AssertionResult WaitResult(const std::string& policy, const std::string& name,
                                        const std::string& outcome,
                                        const std::string& remediation = "") {
    json last;
    const bool ok = Eventually(
        [&] {
          auto report = Report(ns(), policy);
          if (!report) return false;
          last = *report;
          for (const json& r : ResultsFor(*report, GetParam().kind, name)) {
            if (r.value("rule", "") != kPrivilegedRule || r.value("result", "") != outcome) {
              continue;
            }
            const std::string got = r.value("properties", json::object()).value("remediation", "");
            return remediation.empty() || got.find(remediation) != std::string::npos;
          }
          return false;
        },
        kReconcile);
    if (ok) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "no " << outcome << " result for " << kPrivilegedRule << " on " << GetParam().kind
           << "/" << name
           << (remediation.empty()
                   ? ""
                   : " with properties.remediation containing \"" + remediation + "\"")
           << " in csp-" << policy << " within " << kReconcile.count()
           << " s; last report: " << last.dump(2);
  }

  ::testing::AssertionResult WaitEvent(const std::string& name, const std::string& reason) {
    std::map<std::string, int> last;
    const bool ok = Eventually(
        [&] {
          last = OperatorEvents(ns(), GetParam().kind, name);
          return last.count(reason) != 0;
        },
        kReconcile);
    if (ok) return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure();
    failure << "no Event " << reason << " from csp-operator on " << GetParam().kind << "/" << name
            << " within " << kReconcile.count() << " s; events seen:";
    for (const auto& [r, n] : last) failure << " " << r << "x" << n;
    return failure;
  }

  ::testing::AssertionResult WaitPods(const std::string& app, int want) {
    int last = -1;
    if (Eventually(
            [&] {
              last = LivePods(ns(), app);
              return last == want;
            },
            kPods)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "app=" << app << " has " << last << " live Pods after "
                                         << kPods.count() << " s, want " << want;
  }

  ::testing::AssertionResult WaitResultsGone(const std::string& policy, const std::string& name) {
    json last;
    if (Eventually(
            [&] {
              auto report = Report(ns(), policy);
              last = report.value_or(json());
              return !report || ResultsFor(*report, GetParam().kind, name).empty();
            },
            kReconcile)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "results of deleted " << GetParam().kind << "/" << name << " still in csp-" << policy
           << " after " << kReconcile.count() << " s: " << last.dump(2);
  }

  void SetPrivileged(const std::string& name, bool privileged) {
    Patch(GetParam().resource, name,
          json::array(
              {{{"op", "replace"}, {"path", GetParam().privileged_path}, {"value", privileged}}}),
          "json");
  }

  void Delete(const std::string& name) {
    CommandResult r = Kubectl({"-n", ns(), "delete", GetParam().resource, name, "--wait=false"});
    ASSERT_EQ(r.exit_code, 0) << r;
  }
};

TEST_P(OperatorRemediationTest, LabelActionLabelsViolatorWithinFiveSecondsAndUnlabelsWhenFixed) {
  const KindCase& c = GetParam();
  OperatorProcess* op = StartOperator();
  ASSERT_FALSE(HasFailure());
  const std::string policy =
      CreatePolicy("remediate-label", PrivilegedOnlyPolicySpec(ns(), "Label"));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());

  // First seen compliant: labeled so, without an Event (checked at the end: Events go out in
  // the order they were queued, so by then any Event on it would be there).
  Create(c.make("fine", /*privileged=*/false));
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(WaitObject(c.resource, "fine", "labeled compliant=true without violations",
                         LabeledCompliant, kReconcile));

  const std::string name = "violator";
  Create(c.make(name, /*privileged=*/true));
  ASSERT_FALSE(HasFailure());
  // The 5 s bound is issue 4's requirement, measured from the API server's answer to create.
  EXPECT_TRUE(WaitObject(
      c.resource, name, "labeled compliant=false",
      [](const json& o) { return LabelOf(o, kCompliantLabel) == "false"; }, kLabelBound));
  EXPECT_TRUE(WaitObject(c.resource, name, "labeled violations=disallow-privileged",
                         LabeledViolating, kReconcile));
  EXPECT_TRUE(WaitResult(policy, name, "fail", "labeled"));
  EXPECT_TRUE(WaitEvent(name, "Labeled"));
  // Label never takes a workload out of service.
  auto object = TryGet(c.resource, ns(), name);
  ASSERT_TRUE(object.has_value());
  EXPECT_FALSE(HasAnnotation(*object, kScaledDownFromAnnotation)) << object->dump(2);
  if (c.in_service) {
    EXPECT_TRUE(c.in_service(*object)) << object->dump(2);
  }

  if (!c.privileged_path.empty()) {
    SetPrivileged(name, false);
    EXPECT_TRUE(WaitObject(c.resource, name, "labeled compliant=true without violations",
                           LabeledCompliant, kReconcile));
    EXPECT_TRUE(WaitResult(policy, name, "pass"));
    // Labeled violating, then compliant: an Event each.
    EXPECT_TRUE(Eventually(
        [&] { return OperatorEvents(ns(), GetParam().kind, name)["Labeled"] == 2; }, kReconcile))
        << json(OperatorEvents(ns(), GetParam().kind, name)).dump();
  }
  EXPECT_EQ(OperatorEvents(ns(), GetParam().kind, "fine"), (std::map<std::string, int>{}));
  EXPECT_GE(SumMetric(op->Metrics(), "csp_events_total", {{"result", "sent"}}), 1);

  Delete(name);
  EXPECT_TRUE(WaitResultsGone(policy, name));
}

TEST_P(OperatorRemediationTest, ScaleDownTakesViolatorOutOfServiceAndFixRestoresIt) {
  const KindCase& c = GetParam();
  StartOperator();
  ASSERT_FALSE(HasFailure());
  const std::string policy =
      CreatePolicy("remediate-scale", PrivilegedOnlyPolicySpec(ns(), "ScaleDown"));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());
  const std::string name = "workload";

  if (c.privileged_path.empty()) {
    // A bare Pod cannot be taken out of service without deleting it, which the operator never
    // does: it is labeled only.
    Create(c.make(name, /*privileged=*/true));
    ASSERT_FALSE(HasFailure());
    EXPECT_TRUE(WaitObject(c.resource, name, "labeled violating", LabeledViolating, kReconcile));
    EXPECT_TRUE(WaitResult(policy, name, "fail", c.scaled_down_remediation));
    EXPECT_TRUE(WaitEvent(name, "Labeled"));
    auto pod = TryGet(c.resource, ns(), name);
    ASSERT_TRUE(pod.has_value()) << "the operator deleted the bare Pod";
    EXPECT_FALSE(pod->value("metadata", json::object()).contains("deletionTimestamp"))
        << pod->dump(2);
    EXPECT_FALSE(HasAnnotation(*pod, kScaledDownFromAnnotation)) << pod->dump(2);
    EXPECT_EQ(OperatorEvents(ns(), c.kind, name).count("ScaledDown"), 0u);
    Delete(name);
    EXPECT_TRUE(WaitResultsGone(policy, name));
    return;
  }

  // In service and compliant first, so that its Pods exist before they must go away.
  Create(c.make(name, /*privileged=*/false));
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(WaitObject(c.resource, name, "labeled compliant", LabeledCompliant, kReconcile));
  if (c.pods_in_service >= 0) {
    ASSERT_TRUE(WaitPods(name, c.pods_in_service));
  }

  SetPrivileged(name, true);
  EXPECT_TRUE(WaitObject(
      c.resource, name, "out of service, labeled violating, previous value recorded",
      [&](const json& o) {
        return c.out_of_service(o) && LabeledViolating(o) && c.recorded(RecordedValue(o));
      },
      kReconcile));
  if (c.pods_in_service >= 0) {
    EXPECT_TRUE(WaitPods(name, 0));
  }
  EXPECT_TRUE(WaitResult(policy, name, "fail", c.scaled_down_remediation));
  EXPECT_TRUE(WaitEvent(name, "ScaledDown"));

  SetPrivileged(name, false);
  EXPECT_TRUE(WaitObject(
      c.resource, name, "restored, labeled compliant, without scaled-down-from",
      [&](const json& o) {
        return c.in_service(o) && LabeledCompliant(o) &&
               !HasAnnotation(o, kScaledDownFromAnnotation);
      },
      kReconcile));
  if (c.pods_in_service >= 0) {
    EXPECT_TRUE(WaitPods(name, c.pods_in_service));
  }
  EXPECT_TRUE(WaitResult(policy, name, "pass"));
  EXPECT_TRUE(WaitEvent(name, "Restored"));

  Delete(name);
  EXPECT_TRUE(WaitResultsGone(policy, name));
}

INSTANTIATE_TEST_SUITE_P(Kinds, OperatorRemediationTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<KindCase>& info) {
                           return info.param.name;
                         });

// Defect 4 of issue 11: the user edits a quarantined DaemonSet's nodeSelector (adds a key,
// removes one); the restore removes the quarantine key only and keeps the user's edits.
class OperatorQuarantineTest : public OperatorTest {};

TEST_F(OperatorQuarantineTest, RestoreKeepsNodeSelectorEditsMadeDuringQuarantine) {
  StartOperator();
  ASSERT_FALSE(HasFailure());
  const std::string policy =
      CreatePolicy("quarantine-edit", PrivilegedOnlyPolicySpec(ns(), "ScaleDown"));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());

  const std::string name = "edited";
  json ds = DaemonSetObject(name, PodSpec(/*privileged=*/true));
  ds["spec"]["template"]["spec"]["nodeSelector"] = {{"type", "kwok"}, {"disk", "ssd"}};
  Create(ds);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(WaitObject(
      "daemonsets.apps", name, "quarantined",
      [](const json& o) { return NodeSelectorOf(o).contains(kQuarantineKey); }, kReconcile));

  Patch("daemonsets.apps", name,
        {{"spec",
          {{"template", {{"spec", {{"nodeSelector", {{"disk", nullptr}, {"team", "infra"}}}}}}}}}});
  Patch("daemonsets.apps", name,
        json::array({{{"op", "replace"},
                      {"path", "/spec/template/spec/containers/0/securityContext/privileged"},
                      {"value", false}}}),
        "json");
  EXPECT_TRUE(WaitObject(
      "daemonsets.apps", name, "restored with the user's nodeSelector",
      [](const json& o) {
        return NodeSelectorOf(o) == json{{"type", "kwok"}, {"team", "infra"}} &&
               !HasAnnotation(o, kScaledDownFromAnnotation) && LabeledCompliant(o);
      },
      kReconcile));
  EXPECT_TRUE(Eventually(
      [&] { return OperatorEvents(ns(), "DaemonSet", name).count("Restored") != 0; }, kReconcile))
      << "no Restored Event on DaemonSet/" << name;
}

}  // namespace
}  // namespace csp::e2e
