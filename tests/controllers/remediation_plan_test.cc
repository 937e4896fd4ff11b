// The remediation planner: labels, scale-down and restore per kind, the user's own scale-down,
// the strongest action across policies, per-control overrides; every plan converges (planning
// on the patched object gives no patch).
#include "csp/controllers/remediation_plan.h"

#include <gtest/gtest.h>

#include <deque>

#include "csp/names/names.h"
#include "test_util.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;
using test::BadPodSpec;
using test::GoodPodSpec;
using test::MakeWorkload;

constexpr std::string_view kAudit = R"({"action":"Audit"})";
constexpr std::string_view kLabel = R"({"action":"Label"})";
constexpr std::string_view kScaleDown = R"({"action":"ScaleDown"})";
constexpr std::string_view kScaleDownExempt = R"({"action":"ScaleDown","exemptions":[
    {"rules":["disallow-privileged"],"names":["web"],"reason":"SEC-1"}]})";
constexpr std::string_view kAuditOverrideScaleDown =
    R"({"action":"Audit","controls":{"privileged":{"action":"ScaleDown"}}})";
constexpr std::string_view kScaleDownOverrideAudit =
    R"({"action":"ScaleDown","controls":{"privileged":{"action":"Audit"}}})";

json Ann(std::string_view from) {
  return {{"annotations", {{std::string(names::kScaledDownFromAnnotation), std::string(from)}}}};
}
// metadata of a workload we labeled non-compliant (for privileged) and scaled down from `from`.
json Ours(std::string_view from) {
  json m = Ann(from);
  m["labels"][std::string(names::kCompliantLabel)] = "false";
  m["annotations"][std::string(names::kViolationsAnnotation)] = "disallow-privileged";
  return m;
}
json Labeled(std::string_view value) {
  json m = {{"labels", {{std::string(names::kCompliantLabel), std::string(value)}}}};
  if (value == "false")
    m["annotations"][std::string(names::kViolationsAnnotation)] = "disallow-privileged";
  return m;
}

// Patch fragments.
json LabelPatch(std::string_view value) {
  json p;
  p["metadata"]["labels"][std::string(names::kCompliantLabel)] = std::string(value);
  if (value == "false") {
    p["metadata"]["annotations"][std::string(names::kViolationsAnnotation)] = "disallow-privileged";
  }
  return p;
}
// Back to compliant after we labeled it non-compliant: the violations annotation goes too.
json RelabelTrue() {
  json p = LabelPatch("true");
  p["metadata"]["annotations"][std::string(names::kViolationsAnnotation)] = nullptr;
  return p;
}
json Merge(json a, const json& b) {
  a.update(b, /*merge_objects=*/true);
  return a;
}
json FromPatch(json value) {
  json p;
  p["metadata"]["annotations"][std::string(names::kScaledDownFromAnnotation)] = std::move(value);
  return p;
}
json SpecPatch(const json& spec) { return {{"spec", spec}}; }
json SelectorPatch(const json& selector) {
  return {{"spec", {{"template", {{"spec", {{"nodeSelector", selector}}}}}}}};
}

struct Case {
  std::string name;
  json object;
  std::vector<std::string_view> policies;
  json want_patch;  // null: no patch
  std::vector<std::string> want_events;
  std::string want_remediation;
};

std::vector<Case> Cases() {
  const json good = GoodPodSpec(), bad = BadPodSpec();
  const std::string q(names::kQuarantineKey);
  return {
      {"audit_changes_nothing",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 3}}),
       {kAudit},
       nullptr,
       {},
       ""},
      {"label_violating",
       MakeWorkload("Deployment", "web", bad),
       {kLabel},
       LabelPatch("false"),
       {"Labeled"},
       "labeled"},
      {"label_compliant_after_violating_says_so",
       MakeWorkload("Deployment", "web", good, {}, Labeled("false")),
       {kLabel},
       RelabelTrue(),
       {"Labeled"},
       ""},
      {"label_compliant",
       MakeWorkload("Deployment", "web", good),
       {kLabel},
       LabelPatch("true"),
       {},
       ""},
      {"label_already_in_place",
       MakeWorkload("Deployment", "web", bad, {}, Labeled("false")),
       {kLabel},
       nullptr,
       {},
       "labeled"},
      {"owner_edit_of_our_label_put_back",
       MakeWorkload("Deployment", "web", bad, {},
                    {{"labels", {{std::string(names::kCompliantLabel), "true"}}},
                     {"annotations", {{"containersecurity.dev/exempt", "please"}}}}),
       {kLabel},
       LabelPatch("false"),
       {"Labeled"},
       "labeled"},
      {"labels_removed_when_no_policy_labels",
       MakeWorkload("Deployment", "web", bad, {}, Labeled("false")),
       {kAudit},
       {{"metadata",
         {{"labels", {{std::string(names::kCompliantLabel), nullptr}}},
          {"annotations", {{std::string(names::kViolationsAnnotation), nullptr}}}}}},
       {"Unlabeled"},
       ""},
      {"scale_down_deployment",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 3}}),
       {kScaleDown},
       Merge(Merge(LabelPatch("false"), SpecPatch({{"replicas", 0}})), FromPatch("3")),
       {"Labeled", "ScaledDown"},
       "scaled-down from 3 replicas"},
      {"scale_down_default_replicas_is_one",
       MakeWorkload("StatefulSet", "web", bad),
       {kScaleDown},
       Merge(Merge(LabelPatch("false"), SpecPatch({{"replicas", 0}})), FromPatch("1")),
       {"Labeled", "ScaledDown"},
       "scaled-down from 1 replicas"},
      {"scale_down_replicaset",
       MakeWorkload("ReplicaSet", "web", bad, {{"replicas", 2}}, Labeled("false")),
       {kScaleDown},
       Merge(SpecPatch({{"replicas", 0}}), FromPatch("2")),
       {"ScaledDown"},
       "scaled-down from 2 replicas"},
      {"scale_down_replication_controller",
       MakeWorkload("ReplicationController", "web", bad, {{"replicas", 5}}, Labeled("false")),
       {kScaleDown},
       Merge(SpecPatch({{"replicas", 0}}), FromPatch("5")),
       {"ScaledDown"},
       "scaled-down from 5 replicas"},
      {"already_scaled_down_is_left",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 0}}, Ours("3")),
       {kScaleDown},
       nullptr,
       {},
       "scaled-down from 3 replicas"},
      {"user_scaled_to_zero_left_alone",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 0}}),
       {kScaleDown},
       LabelPatch("false"),
       {"Labeled"},
       "labeled (already at 0 replicas)"},
      {"user_scaled_to_zero_never_restored",
       MakeWorkload("Deployment", "web", good, {{"replicas", 0}}),
       {kScaleDown},
       LabelPatch("true"),
       {},
       ""},
      {"user_scaled_up_while_down_is_scaled_again_and_recorded",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 2}}, Ours("3")),
       {kScaleDown},
       Merge(SpecPatch({{"replicas", 0}}), FromPatch("2")),
       {"ScaledDown"},
       "scaled-down from 2 replicas"},
      {"restore_after_fix",
       MakeWorkload("Deployment", "web", good, {{"replicas", 0}}, Ours("3")),
       {kScaleDown},
       Merge(Merge(RelabelTrue(), SpecPatch({{"replicas", 3}})), FromPatch(nullptr)),
       {"Labeled", "Restored"},
       ""},
      {"restore_when_exempted",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 0}}, Ours("3")),
       {kScaleDownExempt},
       Merge(Merge(RelabelTrue(), SpecPatch({{"replicas", 3}})), FromPatch(nullptr)),
       {"Labeled", "Restored"},
       ""},
      {"restore_when_policy_switches_to_audit",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 0}}, Ours("3")),
       {kAudit},
       {{"metadata",
         {{"labels", {{std::string(names::kCompliantLabel), nullptr}}},
          {"annotations",
           {{std::string(names::kViolationsAnnotation), nullptr},
            {std::string(names::kScaledDownFromAnnotation), nullptr}}}}},
        {"spec", {{"replicas", 3}}}},
       {"Unlabeled", "Restored"},
       ""},
      {"restore_when_policy_switches_to_label",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 0}}, Ours("3")),
       {kLabel},
       Merge(SpecPatch({{"replicas", 3}}), FromPatch(nullptr)),
       {"Restored"},
       "labeled"},
      {"restore_keeps_what_the_user_set_meanwhile",
       MakeWorkload("Deployment", "web", good, {{"replicas", 1}}, Ours("3")),
       {kScaleDown},
       Merge(RelabelTrue(), FromPatch(nullptr)),
       {"Labeled", "Restored"},
       ""},
      {"user_written_record_never_scales_up",
       MakeWorkload("Deployment", "web", good, {{"replicas", 2}}, Ann("10")),
       {kScaleDown},
       Merge(LabelPatch("true"), FromPatch(nullptr)),
       {"Restored"},
       ""},
      {"strongest_action_wins_scale_down",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 3}}),
       {kLabel, kScaleDown, kAudit},
       Merge(Merge(LabelPatch("false"), SpecPatch({{"replicas", 0}})), FromPatch("3")),
       {"Labeled", "ScaledDown"},
       "scaled-down from 3 replicas"},
      {"strongest_action_wins_label",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 3}}),
       {kAudit, kLabel},
       LabelPatch("false"),
       {"Labeled"},
       "labeled"},
      {"per_control_override_scales_under_audit_policy",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 3}}),
       {kAuditOverrideScaleDown},
       Merge(Merge(LabelPatch("false"), SpecPatch({{"replicas", 0}})), FromPatch("3")),
       {"Labeled", "ScaledDown"},
       "scaled-down from 3 replicas"},
      {"per_control_override_audit_under_scale_down_policy",
       MakeWorkload("Deployment", "web", bad, {{"replicas", 3}}),
       {kScaleDownOverrideAudit},
       LabelPatch("true"),
       {},
       ""},
      {"cronjob_suspended",
       MakeWorkload("CronJob", "nightly", bad, {{"schedule", "@daily"}}),
       {kScaleDown},
       Merge(Merge(LabelPatch("false"), SpecPatch({{"suspend", true}})), FromPatch("false")),
       {"Labeled", "ScaledDown"},
       "suspended"},
      {"cronjob_resumed_after_fix",
       MakeWorkload("CronJob", "nightly", good, {{"suspend", true}}, Ours("false")),
       {kScaleDown},
       Merge(Merge(RelabelTrue(), SpecPatch({{"suspend", false}})), FromPatch(nullptr)),
       {"Labeled", "Restored"},
       ""},
      {"cronjob_user_suspended_left_alone",
       MakeWorkload("CronJob", "nightly", bad, {{"suspend", true}}),
       {kScaleDown},
       LabelPatch("false"),
       {"Labeled"},
       "labeled (already suspended)"},
      {"cronjob_user_suspended_never_resumed",
       MakeWorkload("CronJob", "nightly", good, {{"suspend", true}}),
       {kScaleDown},
       LabelPatch("true"),
       {},
       ""},
      {"cronjob_user_resumed_while_violating_is_suspended_again",
       MakeWorkload("CronJob", "nightly", bad, {{"suspend", false}}, Ours("false")),
       {kScaleDown},
       SpecPatch({{"suspend", true}}),
       {"ScaledDown"},
       "suspended"},
      {"job_suspended",
       MakeWorkload("Job", "once", bad, {}, Labeled("false")),
       {kScaleDown},
       Merge(SpecPatch({{"suspend", true}}), FromPatch("false")),
       {"ScaledDown"},
       "suspended"},
      {"daemonset_quarantined_without_selector",
       MakeWorkload("DaemonSet", "agent", bad),
       {kScaleDown},
       Merge(Merge(LabelPatch("false"), SelectorPatch({{q, "true"}})), FromPatch("{}")),
       {"Labeled", "ScaledDown"},
       "quarantined by nodeSelector " + q + "=true"},
      {"daemonset_quarantined_keeps_original_selector",
       MakeWorkload("DaemonSet", "agent", Merge(bad, {{"nodeSelector", {{"disk", "ssd"}}}})),
       {kScaleDown},
       Merge(Merge(LabelPatch("false"), SelectorPatch({{q, "true"}})),
             FromPatch(R"({"disk":"ssd"})")),
       {"Labeled", "ScaledDown"},
       "quarantined by nodeSelector " + q + "=true"},
      {"daemonset_restores_original_selector",
       MakeWorkload("DaemonSet", "agent",
                    Merge(good, {{"nodeSelector", {{"disk", "ssd"}, {q, "true"}}}}), {},
                    Ours(R"({"disk":"ssd"})")),
       {kScaleDown},
       Merge(Merge(RelabelTrue(), SelectorPatch({{q, nullptr}})), FromPatch(nullptr)),
       {"Labeled", "Restored"},
       ""},
      // While quarantined, the user's nodeSelector edits are theirs: the restore removes our
      // key only, whatever the record says about the keys the user added, changed or removed.
      {"daemonset_restore_keeps_key_user_added",
       MakeWorkload("DaemonSet", "agent",
                    Merge(good, {{"nodeSelector", {{"disk", "ssd"}, {"team", "a"}, {q, "true"}}}}),
                    {}, Ours(R"({"disk":"ssd"})")),
       {kScaleDown},
       Merge(Merge(RelabelTrue(), SelectorPatch({{q, nullptr}})), FromPatch(nullptr)),
       {"Labeled", "Restored"},
       ""},
      {"daemonset_restore_keeps_key_user_changed",
       MakeWorkload("DaemonSet", "agent",
                    Merge(good, {{"nodeSelector", {{"disk", "ssd"}, {"zone", "b"}, {q, "true"}}}}),
                    {}, Ours(R"({"disk":"ssd","zone":"a"})")),
       {kLabel},
       Merge(Merge(RelabelTrue(), SelectorPatch({{q, nullptr}})), FromPatch(nullptr)),
       {"Labeled", "Restored"},
       ""},
      {"daemonset_restore_keeps_key_user_removed",
       MakeWorkload("DaemonSet", "agent",
                    Merge(good, {{"nodeSelector", {{"zone", "a"}, {q, "true"}}}}), {},
                    Ours(R"({"disk":"ssd","zone":"a"})")),
       {kScaleDown},
       Merge(Merge(RelabelTrue(), SelectorPatch({{q, nullptr}})), FromPatch(nullptr)),
       {"Labeled", "Restored"},
       ""},
      {"daemonset_restore_with_unreadable_record_lifts_quarantine_only",
       MakeWorkload("DaemonSet", "agent",
                    Merge(good, {{"nodeSelector", {{"disk", "ssd"}, {q, "true"}}}}), {},
                    Ours("not json")),
       {kScaleDown},
       Merge(Merge(RelabelTrue(), SelectorPatch({{q, nullptr}})), FromPatch(nullptr)),
       {"Labeled", "Restored"},
       ""},
      {"daemonset_quarantine_key_removed_by_user_is_put_back",
       MakeWorkload("DaemonSet", "agent", bad, {}, Ours("{}")),
       {kScaleDown},
       SelectorPatch({{q, "true"}}),
       {"ScaledDown"},
       "quarantined by nodeSelector " + q + "=true"},
      {"bare_pod_only_labeled",
       MakeWorkload("Pod", "debug", bad),
       {kScaleDown},
       LabelPatch("false"),
       {"Labeled"},
       "labeled"},
  };
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class RemediationPlanTest : public testing::TestWithParam<Case> {};

std::vector<std::string> Reasons(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.reason);
  return out;
}

TEST_P(RemediationPlanTest, Plans) {
  const Case& c = GetParam();
  std::deque<policy::Policy> policies;
  for (std::size_t i = 0; i < c.policies.size(); ++i) {
    policies.push_back(test::MakePolicy("p" + std::to_string(i), c.policies[i]));
  }
  RemediationPlan plan = PlanRemediation(c.object, test::MustEvaluate(policies, c.object));
  if (c.want_patch.is_null()) {
    EXPECT_FALSE(plan.patch) << plan.patch->dump();
  } else {
    ASSERT_TRUE(plan.patch);
    EXPECT_EQ(*plan.patch, c.want_patch)
        << "got  " << plan.patch->dump() << "\nwant " << c.want_patch.dump();
  }
  EXPECT_EQ(Reasons(plan.events), c.want_events);
  EXPECT_EQ(plan.remediation, c.want_remediation);
  for (const Event& e : plan.events) EXPECT_FALSE(e.message.empty()) << e.reason;
  if (plan.patch) {
    // Spec changes apply only to the version planned on; label-only patches to any.
    const json sent = PatchToSend(plan, "42");
    if (plan.patch->contains("spec")) {
      json want = *plan.patch;
      want["metadata"]["resourceVersion"] = "42";
      EXPECT_EQ(sent, want) << sent.dump();
    } else {
      EXPECT_EQ(sent, *plan.patch) << "a label-only patch must apply to any version";
    }
  }

  // Idempotent: on the patched object the same policies ask for nothing more.
  json patched = c.object;
  if (plan.patch) patched.merge_patch(*plan.patch);
  RemediationPlan again = PlanRemediation(patched, test::MustEvaluate(policies, patched));
  EXPECT_FALSE(again.patch) << again.patch->dump();
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.remediation, plan.remediation);
}

INSTANTIATE_TEST_SUITE_P(Cases, RemediationPlanTest, testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

// A full cycle on one Deployment: violate -> scaled down -> fixed -> restored to its replicas.
TEST(RemediationCycleTest, ScaleDownThenRestoreReturnsTheOriginalObject) {
  std::deque<policy::Policy> policies = {test::MakePolicy("p", kScaleDown)};
  json object = MakeWorkload("Deployment", "web", BadPodSpec(), {{"replicas", 4}});
  RemediationPlan down = PlanRemediation(object, test::MustEvaluate(policies, object));
  ASSERT_TRUE(down.patch);
  object.merge_patch(*down.patch);
  EXPECT_EQ(object["spec"]["replicas"], 0);
  object["spec"]["template"]["spec"] = GoodPodSpec();  // the owner fixes the template
  RemediationPlan up = PlanRemediation(object, test::MustEvaluate(policies, object));
  ASSERT_TRUE(up.patch);
  object.merge_patch(*up.patch);
  json want = MakeWorkload("Deployment", "web", GoodPodSpec(), {{"replicas", 4}},
                           {{"labels", {{std::string(names::kCompliantLabel), "true"}}},
                            {"annotations", json::object()}});
  EXPECT_EQ(object, want) << object.dump();
}

// A DaemonSet quarantined, its nodeSelector edited by its user meanwhile (one key added, one
// changed, one removed), then fixed: the restore leaves exactly the user's selector, and its
// Event names the keys it left as the user set them.
TEST(RemediationCycleTest, DaemonSetRestoreKeepsTheUsersSelectorEdits) {
  std::deque<policy::Policy> policies = {test::MakePolicy("p", kScaleDown)};
  json spec = BadPodSpec();
  spec["nodeSelector"] = {{"disk", "ssd"}, {"zone", "a"}, {"os", "linux"}};
  json object = MakeWorkload("DaemonSet", "agent", spec);
  RemediationPlan down = PlanRemediation(object, test::MustEvaluate(policies, object));
  ASSERT_TRUE(down.patch);
  object.merge_patch(*down.patch);
  json& selector = object["spec"]["template"]["spec"]["nodeSelector"];
  ASSERT_TRUE(selector.contains(std::string(names::kQuarantineKey))) << object.dump();

  selector["team"] = "infra";  // added
  selector["zone"] = "b";      // changed
  selector.erase("os");        // removed
  object["spec"]["template"]["spec"]["containers"] = GoodPodSpec()["containers"];
  RemediationPlan up = PlanRemediation(object, test::MustEvaluate(policies, object));
  ASSERT_TRUE(up.patch);
  object.merge_patch(*up.patch);
  EXPECT_EQ(object["spec"]["template"]["spec"]["nodeSelector"],
            (json{{"disk", "ssd"}, {"team", "infra"}, {"zone", "b"}}))
      << object.dump();
  EXPECT_FALSE(
      object["metadata"]["annotations"].contains(std::string(names::kScaledDownFromAnnotation)));
  ASSERT_EQ(Reasons(up.events).back(), "Restored");
  EXPECT_NE(up.events.back().message.find("os, team, zone"), std::string::npos)
      << up.events.back().message;
}

TEST(RemediationPlanTest, ViolationsAreSortedAndUniqueAcrossPolicies) {
  std::deque<policy::Policy> policies = {test::MakePolicy("a", kLabel),
                                         test::MakePolicy("b", kLabel)};
  json spec = BadPodSpec();
  spec["securityContext"].erase("runAsNonRoot");  // also fails require-non-root
  json object = MakeWorkload("Deployment", "web", spec);
  RemediationPlan plan = PlanRemediation(object, test::MustEvaluate(policies, object));
  EXPECT_EQ(plan.violations, (std::vector<std::string>{"disallow-privileged", "require-non-root"}));
  ASSERT_TRUE(plan.patch);
  EXPECT_EQ((*plan.patch)["metadata"]["annotations"][std::string(names::kViolationsAnnotation)],
            "disallow-privileged,require-non-root");
}

TEST(ToEntriesTest, RemediationRecordedOnEnforcedFailuresOnly) {
  std::deque<policy::Policy> policies = {test::MakePolicy("p", kScaleDownOverrideAudit),
                                         test::MakePolicy("q", kScaleDown)};
  json spec = BadPodSpec();
  spec["securityContext"].erase("runAsNonRoot");
  json object = MakeWorkload("Deployment", "web", spec, {{"replicas", 2}});
  std::vector<Evaluation> evaluations = test::MustEvaluate(policies, object);
  RemediationPlan plan = PlanRemediation(object, evaluations);
  ASSERT_EQ(plan.remediation, "scaled-down from 2 replicas");
  std::map<std::string, std::string> got;  // "policy/rule" -> remediation of fail results
  for (const Evaluation& e : evaluations) {
    for (const PolicyEntry& pe : ToEntries(e, &plan)) {
      auto it = pe.entry.properties.find("remediation");
      if (it != pe.entry.properties.end()) got[pe.policy + "/" + pe.entry.rule] = it->second;
    }
  }
  // p audits privileged (override): its failure records nothing; everything q fails does.
  EXPECT_EQ(got, (std::map<std::string, std::string>{
                     {"p/require-non-root", "scaled-down from 2 replicas"},
                     {"q/disallow-privileged", "scaled-down from 2 replicas"},
                     {"q/require-non-root", "scaled-down from 2 replicas"}}));
}

}  // namespace
}  // namespace csp::controllers
