// Nobody but the policy's authors can switch enforcement off (controls.md "Exemptions"):
// - a user with edit rights in a namespace (the cluster's `dev`, bound to the built-in `edit`
//   ClusterRole) cannot exempt their own workload with labels or annotations on it: the
//   operator puts its label back and keeps the workload scaled down;
// - a report someone else edits or deletes is put right on the next pass.
#include <algorithm>
#include <string>
#include <tuple>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kReconcile = 60s;
// RBAC changes reach the authorizer through an informer.
constexpr auto kRbacPropagation = 30s;
constexpr char kReports[] = "policyreports.wgpolicyk8s.io";

// What the operator keeps on a violating Deployment under ScaleDown.
bool HeldDown(const json& o) {
  return o["spec"].value("replicas", -1) == 0 && LabelOf(o, kCompliantLabel) == "false" &&
         AnnotationOf(o, kViolationsAnnotation) == kPrivilegedRule;
}

// (kind, name, rule, result) of each result: what the operator owns in a report, minus
// timestamps.
std::vector<std::tuple<std::string, std::string, std::string, std::string>> Verdicts(
    const json& report) {
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> out;
  for (const json& r : report.value("results", json::array())) {
    const json resource =
        r.value("resources", json::array()).empty() ? json::object() : r["resources"][0];
    out.emplace_back(resource.value("kind", ""), resource.value("name", ""), r.value("rule", ""),
                     r.value("result", ""));
  }
  std::sort(out.begin(), out.end());
  return out;
}

class OperatorBypassTest : public OperatorTest {
 protected:
  CommandResult Dev(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    std::vector<std::string> full = {"-n", ns()};
    full.insert(full.end(), args.begin(), args.end());
    return KubectlAs("dev", full, stdin_data);
  }
};

TEST_F(OperatorBypassTest, EditorCannotExemptOwnWorkloadWithLabelsOrAnnotations) {
  CommandResult r = Kubectl(
      {"-n", ns(), "create", "rolebinding", "dev-edit", "--clusterrole=edit", "--user=dev"});
  ASSERT_EQ(r.exit_code, 0) << r;
  StartOperator();
  const std::string policy = CreatePolicy("bypass", PrivilegedOnlyPolicySpec(ns(), "ScaleDown"));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());

  // dev creates a violating Deployment; the operator takes it down.
  CommandResult created;
  ASSERT_TRUE(Eventually(
      [&] {
        created = Dev({"create", "-f", "-"},
                      DeploymentObject("mine", 2, PodSpec(/*privileged=*/true)).dump());
        return created.exit_code == 0;
      },
      kRbacPropagation))
      << "dev could not create a Deployment after the RoleBinding: " << created;
  ASSERT_TRUE(WaitObject(
      "deployments.apps", "mine", "scaled down from 2",
      [](const json& o) {
        return HeldDown(o) && AnnotationOf(o, kScaledDownFromAnnotation) == "2";
      },
      kReconcile));

  // Each attempt also drops the compliant label, so that the label coming back proves the
  // operator has seen that very edit; the workload must stay down all along.
  struct Attempt {
    std::string what;
    json patch;
  };
  const std::vector<Attempt> attempts = {
      {"remove the compliant label", {{"metadata", {{"labels", {{kCompliantLabel, nullptr}}}}}}},
      {"claim compliant=true and drop the violations",
       {{"metadata",
         {{"labels", {{kCompliantLabel, "true"}}},
          {"annotations", {{kViolationsAnnotation, nullptr}}}}}}},
      {"annotate itself exempt",
       {{"metadata",
         {{"labels", {{kCompliantLabel, nullptr}}},
          {"annotations",
           {{"containersecurity.dev/exempt", "true"},
            {"containersecurity.dev/exemptions", "disallow-privileged"},
            {"containersecurity.dev/skip", "true"}}}}}}},
      {"label itself exempt",
       {{"metadata",
         {{"labels",
           {{kCompliantLabel, nullptr},
            {"containersecurity.dev/exempt", "true"},
            {"containersecurity.dev/policy", "none"}}}}}}},
      {"claim it was never scaled down (drop scaled-down-from)",
       {{"metadata",
         {{"labels", {{kCompliantLabel, nullptr}}},
          {"annotations", {{kScaledDownFromAnnotation, nullptr}}}}}}},
      {"set scaled-down-from to 5",
       {{"metadata",
         {{"labels", {{kCompliantLabel, nullptr}}},
          {"annotations", {{kScaledDownFromAnnotation, "5"}}}}}}},
      {"scale itself back up", {{"spec", {{"replicas", 2}}}}},
      {"scale up, claim compliant and exempt at once",
       {{"metadata",
         {{"labels", {{kCompliantLabel, "true"}}},
          {"annotations",
           {{"containersecurity.dev/exempt", "true"}, {kViolationsAnnotation, nullptr}}}}},
        {"spec", {{"replicas", 3}}}}},
  };
  for (const Attempt& attempt : attempts) {
    SCOPED_TRACE("dev tries to " + attempt.what);
    CommandResult edit =
        Dev({"patch", "deployment", "mine", "--type=merge", "-p", attempt.patch.dump()});
    ASSERT_EQ(edit.exit_code, 0) << "dev may edit its Deployment: " << edit;
    EXPECT_TRUE(WaitObject("deployments.apps", "mine", "held down and labeled violating again",
                           HeldDown, kReconcile));
    EXPECT_EQ(ResultOf(ns(), policy, "Deployment", "mine", kPrivilegedRule), "fail");
  }
  EXPECT_TRUE(Eventually([&] { return LivePods(ns(), "mine") == 0; }, 120s))
      << "Pods of the held-down Deployment remain";

  // And the things that could exempt it are out of dev's reach.
  for (const std::vector<std::string>& can_i : std::vector<std::vector<std::string>>{
           {"auth", "can-i", "patch", "containersecuritypolicies.containersecurity.dev"},
           {"auth", "can-i", "create", "containersecuritypolicies.containersecurity.dev"},
           {"auth", "can-i", "delete", kReports},
           {"auth", "can-i", "update", kReports}}) {
    CommandResult answer = Dev(can_i);
    EXPECT_NE(answer.exit_code, 0) << "dev: " << json(can_i).dump() << " -> " << answer;
  }
  CommandResult can_patch = Dev({"auth", "can-i", "patch", "deployments.apps"});
  EXPECT_EQ(can_patch.exit_code, 0) << "the test needs dev to be able to edit: " << can_patch;
}

TEST_F(OperatorBypassTest, ReportEditedOrDeletedBySomeoneElseIsPutRight) {
  Create(DeploymentObject("violator", 1, PodSpec(/*privileged=*/true)));
  Create(DeploymentObject("fine", 1, PodSpec(/*privileged=*/false)));
  StartOperator();
  const std::string policy = CreatePolicy("report-repair", PrivilegedOnlyPolicySpec(ns(), "Label"));
  ASSERT_FALSE(HasFailure());
  const std::string report_name = "csp-" + policy;

  json original;
  ASSERT_TRUE(Eventually(
      [&] {
        auto report = Report(ns(), policy);
        if (!report) return false;
        original = *report;
        return ResultOf(ns(), policy, "Deployment", "violator", kPrivilegedRule) == "fail" &&
               ResultOf(ns(), policy, "Deployment", "fine", kPrivilegedRule) == "pass";
      },
      kReconcile))
      << "no settled report: " << original.dump(2);
  WaitPolicyReconciled(policy);
  auto settled = Report(ns(), policy);
  ASSERT_TRUE(settled.has_value());
  const auto want = Verdicts(*settled);
  const json want_summary = settled->value("summary", json::object());

  auto put_right = [&](const std::string& what) {
    json last;
    EXPECT_TRUE(Eventually(
        [&] {
          auto report = Report(ns(), policy);
          if (!report) return false;
          last = *report;
          return Verdicts(*report) == want &&
                 report->value("summary", json::object()) == want_summary &&
                 LabelOf(*report, "app.kubernetes.io/managed-by") == "csp-operator" &&
                 LabelOf(*report, "containersecurity.dev/policy") == policy;
        },
        kReconcile))
        << "the report was not put right after the admin " << what << "; last: " << last.dump(2);
  };

  // Someone with rights over reports whitewashes it: every result passes, one workload gone.
  json edited = *settled;
  edited["metadata"].erase("managedFields");
  json results = json::array();
  for (json r : edited.value("results", json::array())) {
    if (!ResultsFor(json{{"results", json::array({r})}}, "Deployment", "fine").empty()) continue;
    r["result"] = "pass";
    results.push_back(r);
  }
  edited["results"] = results;
  edited["summary"] = {{"pass", static_cast<int>(results.size())}};
  // The API server's answer is the object as stored, before the operator can repair it.
  CommandResult r = Kubectl({"-n", ns(), "replace", "-f", "-", "-o", "json"}, edited.dump());
  ASSERT_EQ(r.exit_code, 0) << r;
  json stored = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(stored.is_discarded()) << r;
  ASSERT_NE(Verdicts(stored), want) << "the edit did not take: " << r.out;
  put_right("edited its results");

  // And deletes it.
  r = Kubectl({"-n", ns(), "delete", kReports, report_name});
  ASSERT_EQ(r.exit_code, 0) << r;
  put_right("deleted it");
}

}  // namespace
}  // namespace csp::e2e
