// A policy change re-evaluates every workload the policy matches, with no change to the
// workloads themselves: its action (Audit -> Label -> ScaleDown -> Audit), its controls, its
// exemptions; its namespaceSelector follows label changes on Namespaces; and an exemption that
// expires stops applying when its time passes, without any other change.
#include <ctime>
#include <string>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Ceiling for the operator's reaction; the issue gives no bound for these.
constexpr auto kReconcile = 60s;
constexpr char kDeployments[] = "deployments.apps";

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

bool Unlabeled(const json& o) {
  return !HasLabel(o, kCompliantLabel) && !HasAnnotation(o, kViolationsAnnotation);
}

std::function<bool(const json&)> LabeledWith(const std::string& violations) {
  return [violations](const json& o) {
    if (violations.empty()) {
      return LabelOf(o, kCompliantLabel) == "true" && !HasAnnotation(o, kViolationsAnnotation);
    }
    return LabelOf(o, kCompliantLabel) == "false" &&
           AnnotationOf(o, kViolationsAnnotation) == violations;
  };
}

int Replicas(const json& o) { return o["spec"].value("replicas", -1); }

class OperatorPolicyChangeTest : public OperatorTest {
 protected:
  void CreateDeployment(const std::string& name, bool privileged, bool root = false) {
    Create(DeploymentObject(name, 1, PodSpec(privileged, root)));
  }

  ::testing::AssertionResult WaitDeployment(const std::string& name, const std::string& what,
                                            const std::function<bool(const json&)>& predicate) {
    return WaitObject(kDeployments, name, what, predicate, kReconcile);
  }

  ::testing::AssertionResult WaitResult(const std::string& policy, const std::string& name,
                                        const std::string& rule, const std::string& outcome,
                                        const std::string& ns = "") {
    const std::string where = ns.empty() ? this->ns() : ns;
    std::string last;
    if (Eventually(
            [&] {
              last = ResultOf(where, policy, "Deployment", name, rule);
              return last == outcome;
            },
            kReconcile)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << rule << " on Deployment " << where << "/" << name << " in csp-" << policy << ": "
           << (last.empty() ? "(no result)" : last) << ", want " << outcome << " after "
           << kReconcile.count() << " s";
  }
};

TEST_F(OperatorPolicyChangeTest, ActionChangeReEvaluatesEveryMatchingWorkload) {
  const std::vector<std::string> violators = {"v0", "v1", "v2"};
  for (const std::string& v : violators) CreateDeployment(v, /*privileged=*/true);
  CreateDeployment("c0", /*privileged=*/false);
  StartOperator();
  const std::string policy = CreatePolicy("action-change", PrivilegedOnlyPolicySpec(ns(), "Audit"));
  ASSERT_FALSE(HasFailure());

  // Audit: reports only.
  for (const std::string& v : violators)
    EXPECT_TRUE(WaitResult(policy, v, kPrivilegedRule, "fail"));
  EXPECT_TRUE(WaitResult(policy, "c0", kPrivilegedRule, "pass"));
  WaitPolicyReconciled(policy);
  for (const char* name : {"v0", "v1", "v2", "c0"}) {
    auto d = TryGet(kDeployments, ns(), name);
    ASSERT_TRUE(d.has_value()) << name;
    EXPECT_TRUE(Unlabeled(*d)) << "Audit changed " << name << ": " << d->dump(2);
    EXPECT_EQ(Replicas(*d), 1) << name;
  }

  // Label.
  PatchPolicySpec(policy, {{"action", "Label"}});
  for (const std::string& v : violators) {
    EXPECT_TRUE(WaitDeployment(v, "labeled violating", LabeledWith(kPrivilegedRule)));
  }
  EXPECT_TRUE(WaitDeployment("c0", "labeled compliant", LabeledWith("")));
  WaitPolicyReconciled(policy);

  // ScaleDown: the violators go to 0, the compliant one stays.
  PatchPolicySpec(policy, {{"action", "ScaleDown"}});
  for (const std::string& v : violators) {
    EXPECT_TRUE(WaitDeployment(v, "scaled down from 1", [](const json& o) {
      return Replicas(o) == 0 && AnnotationOf(o, kScaledDownFromAnnotation) == "1" &&
             LabelOf(o, kCompliantLabel) == "false";
    }));
  }
  WaitPolicyReconciled(policy);
  auto c0 = TryGet(kDeployments, ns(), "c0");
  ASSERT_TRUE(c0.has_value());
  EXPECT_EQ(Replicas(*c0), 1) << c0->dump(2);

  // Back to Audit: the operator undoes what it did — replicas back, its labels gone.
  PatchPolicySpec(policy, {{"action", "Audit"}});
  for (const std::string& v : violators) {
    EXPECT_TRUE(WaitDeployment(v, "restored to 1 replica and unlabeled", [](const json& o) {
      return Replicas(o) == 1 && !HasAnnotation(o, kScaledDownFromAnnotation) && Unlabeled(o);
    }));
  }
  EXPECT_TRUE(WaitDeployment("c0", "unlabeled", Unlabeled));
  for (const std::string& v : violators)
    EXPECT_TRUE(WaitResult(policy, v, kPrivilegedRule, "fail"));
}

TEST_F(OperatorPolicyChangeTest, ControlsChangeReEvaluatesEveryMatchingWorkload) {
  CreateDeployment("privileged", /*privileged=*/true);
  CreateDeployment("root", /*privileged=*/false, /*root=*/true);
  StartOperator();
  const std::string policy =
      CreatePolicy("controls-change", PrivilegedOnlyPolicySpec(ns(), "Label"));
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(WaitDeployment("privileged", "violating", LabeledWith(kPrivilegedRule)));
  EXPECT_TRUE(WaitDeployment("root", "compliant", LabeledWith("")));
  EXPECT_TRUE(WaitResult(policy, "root", kNonRootRule, "skip"));

  PatchPolicySpec(policy, {{"controls", {{"runAsNonRoot", {{"enabled", true}}}}}});
  EXPECT_TRUE(WaitDeployment("root", "violating require-non-root", LabeledWith(kNonRootRule)));
  EXPECT_TRUE(WaitResult(policy, "root", kNonRootRule, "fail"));
  EXPECT_TRUE(WaitDeployment("privileged", "still violating only disallow-privileged",
                             LabeledWith(kPrivilegedRule)));

  PatchPolicySpec(policy, {{"controls", {{"privileged", {{"enabled", false}}}}}});
  EXPECT_TRUE(WaitDeployment("privileged", "compliant", LabeledWith("")));
  EXPECT_TRUE(WaitResult(policy, "privileged", kPrivilegedRule, "skip"));
  EXPECT_TRUE(WaitDeployment("root", "still violating", LabeledWith(kNonRootRule)));
}

TEST_F(OperatorPolicyChangeTest, ExemptionChangeReEvaluatesEveryMatchingWorkload) {
  CreateDeployment("db-main", /*privileged=*/true);
  CreateDeployment("web", /*privileged=*/true);
  StartOperator();
  const std::string policy =
      CreatePolicy("exemption-change", PrivilegedOnlyPolicySpec(ns(), "Label"));
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(WaitDeployment("db-main", "violating", LabeledWith(kPrivilegedRule)));
  EXPECT_TRUE(WaitDeployment("web", "violating", LabeledWith(kPrivilegedRule)));

  const std::string reason = "vendor image needs it (e2e)";
  PatchPolicySpec(policy, {{"exemptions",
                            {{{"rules", {kPrivilegedRule}},
                              {"kinds", {"Deployment"}},
                              {"names", {"db-*"}},
                              {"reason", reason}}}}});
  EXPECT_TRUE(WaitDeployment("db-main", "exempted, so compliant", LabeledWith("")));
  EXPECT_TRUE(WaitResult(policy, "db-main", kPrivilegedRule, "skip"));
  if (auto report = Report(ns(), policy)) {
    for (const json& r : ResultsFor(*report, "Deployment", "db-main")) {
      if (r.value("rule", "") != kPrivilegedRule) continue;
      EXPECT_NE(r.value("message", "").find(reason), std::string::npos)
          << "a skip by exemption names its reason: " << r.dump(2);
    }
  }
  // The exemption does not reach web.
  EXPECT_TRUE(WaitDeployment("web", "still violating", LabeledWith(kPrivilegedRule)));
  EXPECT_EQ(ResultOf(ns(), policy, "Deployment", "web", kPrivilegedRule), "fail");

  PatchPolicySpec(policy, {{"exemptions", json::array()}});
  EXPECT_TRUE(WaitDeployment("db-main", "violating again", LabeledWith(kPrivilegedRule)));
  EXPECT_TRUE(WaitResult(policy, "db-main", kPrivilegedRule, "fail"));
}

TEST_F(OperatorPolicyChangeTest, NamespaceSelectorFollowsNamespaceLabels) {
  const std::string other = CreateExtraNamespace("other");
  ASSERT_FALSE(HasFailure());
  const std::string team_key = "csp-e2e-team";
  const std::string team = UniqueName("team");
  CreateDeployment("app", /*privileged=*/true);
  CommandResult r = Kubectl({"-n", other, "create", "-f", "-"},
                            DeploymentObject("app", 1, PodSpec(/*privileged=*/true)).dump());
  ASSERT_EQ(r.exit_code, 0) << r;

  StartOperator();
  json spec = PrivilegedOnlyPolicySpec(ns(), "Label");
  spec["match"]["namespaceSelector"] = {{"matchLabels", {{team_key, team}}}};
  const std::string policy = CreatePolicy("ns-selector", spec);
  ASSERT_FALSE(HasFailure());
  json status = WaitPolicyReconciled(policy).value("status", json::object());
  EXPECT_EQ(status.value("workloads", json::object()).value("total", -1), 0) << status.dump(2);
  for (const std::string& n : {ns(), other}) {
    auto app = TryGet(kDeployments, n, "app");
    ASSERT_TRUE(app.has_value());
    EXPECT_TRUE(Unlabeled(*app)) << "no namespace is selected yet: " << app->dump(2);
    EXPECT_FALSE(Report(n, policy).has_value()) << n;
  }

  auto label_ns = [&](const std::string& n, bool on) {
    CommandResult l = Kubectl({"label", "namespace", n, team_key + (on ? "=" + team : "-")});
    EXPECT_EQ(l.exit_code, 0) << l;
  };
  auto wait_in = [&](const std::string& n, const std::string& what,
                     const std::function<bool(const json&)>& predicate) {
    std::optional<json> last;
    EXPECT_TRUE(Eventually(
        [&] {
          last = TryGet(kDeployments, n, "app");
          return last && predicate(*last);
        },
        kReconcile))
        << n << "/app not " << what << ": " << (last ? last->dump(2) : "(absent)");
  };

  label_ns(ns(), true);
  wait_in(ns(), "labeled violating", LabeledWith(kPrivilegedRule));
  EXPECT_TRUE(WaitResult(policy, "app", kPrivilegedRule, "fail"));
  auto other_app = TryGet(kDeployments, other, "app");
  ASSERT_TRUE(other_app.has_value());
  EXPECT_TRUE(Unlabeled(*other_app)) << other_app->dump(2);

  // Move the label: the first namespace leaves the policy, the second joins.
  label_ns(ns(), false);
  label_ns(other, true);
  wait_in(other, "labeled violating", LabeledWith(kPrivilegedRule));
  EXPECT_TRUE(WaitResult(policy, "app", kPrivilegedRule, "fail", other));
  wait_in(ns(), "unlabeled (no policy asks any more)", Unlabeled);
  EXPECT_TRUE(Eventually([&] { return !Report(ns(), policy).has_value(); }, kReconcile))
      << "csp-" << policy << " stays in " << ns() << " after the namespace left the policy";
  // The status follows the reports: policy passes are coalesced (300 ms), so wait for the count.
  EXPECT_TRUE(Eventually(
      [&] {
        status = WaitPolicyReconciled(policy).value("status", json::object());
        return status.value("workloads", json::object()).value("total", -1) == 1;
      },
      kReconcile))
      << status.dump(2);
}

// The last change a policy can make: going away. Nothing asks for ScaleDown or Label any more,
// so what the operator did is undone (api.md: restored when "the policy stops asking") and its
// reports go.
TEST_F(OperatorPolicyChangeTest, DeletedPolicyRestoresAndUnlabelsItsWorkloads) {
  CreateDeployment("held", /*privileged=*/true);
  CreateDeployment("fine", /*privileged=*/false);
  StartOperator();
  const std::string policy = CreatePolicy("deleted", PrivilegedOnlyPolicySpec(ns(), "ScaleDown"));
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(WaitDeployment("held", "scaled down", [](const json& o) {
    return Replicas(o) == 0 && AnnotationOf(o, kScaledDownFromAnnotation) == "1";
  }));
  EXPECT_TRUE(WaitDeployment("fine", "labeled compliant", LabeledWith("")));
  ASSERT_TRUE(Eventually([&] { return Report(ns(), policy).has_value(); }, kReconcile));

  CommandResult r = Kubectl({"delete", "containersecuritypolicies.containersecurity.dev", policy});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(WaitDeployment("held", "restored to 1 replica and unlabeled", [](const json& o) {
    return Replicas(o) == 1 && !HasAnnotation(o, kScaledDownFromAnnotation) && Unlabeled(o);
  }));
  EXPECT_TRUE(WaitDeployment("fine", "unlabeled", Unlabeled));
  EXPECT_TRUE(Eventually([&] { return !Report(ns(), policy).has_value(); }, kReconcile))
      << "csp-" << policy << " outlives its policy";
}

TEST_F(OperatorPolicyChangeTest, ExpiredExemptionStopsApplyingWithoutAnyOtherChange) {
  CreateDeployment("legacy", /*privileged=*/true);
  StartOperator();
  ASSERT_FALSE(HasFailure());
  // ~10 s ahead (issue 4): long enough to see the exemption apply first.
  const auto expires = std::chrono::system_clock::now() + 10s;
  json spec = PrivilegedOnlyPolicySpec(ns(), "Label");
  spec["exemptions"] = {{{"names", {"legacy"}},
                         {"reason", "expires in a moment (e2e)"},
                         {"expires", Rfc3339(expires)}}};
  const std::string policy = CreatePolicy("expiring", spec);
  ASSERT_FALSE(HasFailure());

  auto exemption_status = [&](json& policy_out) {
    auto p = TryGet("containersecuritypolicies.containersecurity.dev", "", policy);
    if (!p) return json::object();
    policy_out = *p;
    const json list = p->value("status", json::object()).value("exemptions", json::array());
    return list.empty() ? json::object() : list[0];
  };

  // Before it expires: exempted.
  json seen;
  const bool exempted = Eventually(
      [&] {
        const json e = exemption_status(seen);
        auto d = TryGet(kDeployments, ns(), "legacy");
        return d && LabeledWith("")(*d) &&
               ResultOf(ns(), policy, "Deployment", "legacy", kPrivilegedRule) == "skip" &&
               e.value("matched", -1) == 1 && e.value("expired", true) == false;
      },
      std::chrono::duration_cast<std::chrono::milliseconds>(expires -
                                                            std::chrono::system_clock::now()));
  ASSERT_TRUE(exempted) << "the exemption was not seen applied (label compliant=true, skip "
                           "result, status.exemptions[0] {matched: 1, expired: false}) before it "
                           "expired at "
                        << Rfc3339(expires) << "; policy: " << seen.dump(2);
  const int generation = seen["metadata"].value("generation", 0);

  // After: it stops applying with nothing else changed.
  EXPECT_TRUE(WaitDeployment("legacy", "violating after the exemption expired",
                             LabeledWith(kPrivilegedRule)));
  EXPECT_TRUE(WaitResult(policy, "legacy", kPrivilegedRule, "fail"));
  EXPECT_TRUE(Eventually(
      [&] {
        const json e = exemption_status(seen);
        return e.value("matched", -1) == 0 && e.value("expired", false) == true;
      },
      kReconcile))
      << "status.exemptions[0] not {matched: 0, expired: true}: " << seen.dump(2);
  EXPECT_EQ(seen["metadata"].value("generation", 0), generation) << "the policy was changed";
}

}  // namespace
}  // namespace csp::e2e
