// The engine: one result per control, disabled controls, exemptions and expiry, match, and
// recognising every workload kind of controls.md.
#include "csp/policy/engine.h"

#include <gtest/gtest.h>

#include "csp/names/names.h"
#include "csp/policy/text.h"
#include "test_util.h"

namespace csp::policy {
namespace {

using test::Json;
using test::Now;
using test::PolicyDoc;

Policy MustParse(std::string_view spec) {
  Result<Policy> policy = ParsePolicy(PolicyDoc(spec));
  EXPECT_TRUE(policy) << policy.error().message;
  return policy ? *policy : Policy{};
}

Workload MustRecognise(const nlohmann::json& object) {
  Result<std::optional<Workload>> w = AsWorkload(object, "default");
  EXPECT_TRUE(w) << w.error().message;
  EXPECT_TRUE(w && w->has_value()) << object.dump();
  return w && w->has_value() ? **w : Workload{};
}

std::vector<RuleResult> MustEvaluate(const Policy& policy, const Workload& workload,
                                     std::chrono::sys_seconds now = Now()) {
  Result<std::vector<RuleResult>> results = Evaluate(policy, workload, {.now = now});
  EXPECT_TRUE(results) << results.error().message;
  return results ? *results : std::vector<RuleResult>{};
}

const RuleResult* ResultFor(const std::vector<RuleResult>& results, std::string_view rule) {
  for (const RuleResult& r : results) {
    if (r.rule == rule) return &r;
  }
  ADD_FAILURE() << "no result for " << rule;
  return nullptr;
}

// A compliant pod for every enabled default control.
constexpr char kCompliantPod[] = R"({
  "apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},
  "spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
          "containers":[{"name":"app","image":"nginx",
                         "securityContext":{"capabilities":{"drop":["ALL"]}}}]}})";

// A pod violating every control enabled by default.
constexpr char kViolatingPod[] = R"({
  "apiVersion":"v1","kind":"Pod","metadata":{"name":"bad","namespace":"shop"},
  "spec":{"hostPID":true,"securityContext":{"sysctls":[{"name":"kernel.msgmax","value":"1"}]},
          "containers":[{"name":"app","image":"nginx","securityContext":{
              "privileged":true,"runAsUser":0,"capabilities":{"add":["SYS_ADMIN"]},
              "appArmorProfile":{"type":"Unconfined"},"procMount":"Unmasked",
              "windowsOptions":{"hostProcess":true},"seLinuxOptions":{"type":"spc_t"}},
           "ports":[{"containerPort":80,"hostPort":80}],
           "volumeMounts":[{"name":"sock","mountPath":"/s"}],
           "livenessProbe":{"httpGet":{"host":"10.0.0.1","port":80}}}],
          "volumes":[{"name":"sock","hostPath":{"path":"/var/run/docker.sock"}}]}})";

TEST(EvaluateTest, OneResultPerControlInControlOrder) {
  const Policy policy = DefaultPolicy();
  for (const char* doc : {kCompliantPod, kViolatingPod}) {
    const nlohmann::json pod = Json(doc);
    const std::vector<RuleResult> results = MustEvaluate(policy, MustRecognise(pod));
    const auto controls = AllControls();
    ASSERT_EQ(results.size(), controls.size());
    for (std::size_t i = 0; i < controls.size(); ++i) {
      EXPECT_EQ(results[i].rule, controls[i].id);
      EXPECT_EQ(results[i].severity, controls[i].severity);
      ASSERT_NE(results[i].config, nullptr);
      EXPECT_EQ(results[i].config->control, &controls[i]);
    }
  }
}

TEST(EvaluateTest, CompliantPodPassesEveryEnabledRule) {
  const nlohmann::json pod = Json(kCompliantPod);
  const std::vector<RuleResult> results = MustEvaluate(DefaultPolicy(), MustRecognise(pod));
  ASSERT_EQ(results.size(), AllControls().size());
  for (const Control& c : AllControls()) {
    const RuleResult* r = ResultFor(results, c.id);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->outcome, c.enabled_by_default ? Outcome::kPass : Outcome::kSkip)
        << c.id << ": " << r->message;
  }
}

TEST(EvaluateTest, ViolatingPodFailsEveryEnabledRule) {
  const nlohmann::json pod = Json(kViolatingPod);
  const std::vector<RuleResult> results = MustEvaluate(DefaultPolicy(), MustRecognise(pod));
  ASSERT_EQ(results.size(), AllControls().size());
  for (const Control& c : AllControls()) {
    const RuleResult* r = ResultFor(results, c.id);
    ASSERT_NE(r, nullptr);
    if (!c.enabled_by_default) {
      EXPECT_EQ(r->outcome, Outcome::kSkip) << c.id;
      continue;
    }
    EXPECT_EQ(r->outcome, Outcome::kFail) << c.id;
    // A pod-level field (spec.hostPID) names no container; its message starts with "spec.".
    if (r->message.rfind("spec.", 0) != 0) {
      EXPECT_EQ(r->containers, std::vector<std::string>{"app"}) << c.id;
    }
    EXPECT_NE(r->message, "") << c.id;
  }
}

TEST(EvaluateTest, DisabledControlSkipsOthersStillEvaluated) {
  const Policy policy = MustParse(R"({"controls":{"privileged":{"enabled":false},
                                                   "hostPath":{"enabled":false}}})");
  const nlohmann::json pod = Json(kViolatingPod);
  const std::vector<RuleResult> results = MustEvaluate(policy, MustRecognise(pod));
  ASSERT_EQ(results.size(), AllControls().size());
  const RuleResult* privileged = ResultFor(results, "disallow-privileged");
  ASSERT_NE(privileged, nullptr);
  EXPECT_EQ(privileged->outcome, Outcome::kSkip);
  EXPECT_NE(privileged->message.find("disabled"), std::string::npos) << privileged->message;
  EXPECT_TRUE(privileged->containers.empty());
  EXPECT_EQ(ResultFor(results, "restrict-host-path")->outcome, Outcome::kSkip);
  EXPECT_EQ(ResultFor(results, "require-seccomp")->outcome, Outcome::kFail);
  EXPECT_EQ(ResultFor(results, "disallow-runtime-socket")->outcome, Outcome::kFail);
}

TEST(EvaluateTest, SeverityAndActionNeverChangeTheOutcome) {
  const Policy policy = MustParse(R"({"action":"ScaleDown","admission":"Deny",
      "controls":{"privileged":{"severity":"info","action":"Audit"}}})");
  const nlohmann::json pod = Json(kViolatingPod);
  const std::vector<RuleResult> results = MustEvaluate(policy, MustRecognise(pod));
  const RuleResult* r = ResultFor(results, "disallow-privileged");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->outcome, Outcome::kFail);
  EXPECT_EQ(r->severity, "info");
}

TEST(EvaluateTest, WindowsPodSkipsRulesTwoThreeFour) {
  const nlohmann::json pod = Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"w"},
      "spec":{"os":{"name":"windows"},"containers":[{"name":"app","securityContext":{
          "privileged":true,"capabilities":{"add":["ALL"]},
          "appArmorProfile":{"type":"Unconfined"}}}]}})");
  nlohmann::json spec = Json(R"({"controls":{"appArmor":{"requireExplicit":true}}})");
  for (const Control& c : AllControls()) {  // those disabled by default too
    if (c.skip_on_windows) spec["controls"][std::string(c.key)]["enabled"] = true;
  }
  const std::vector<RuleResult> results = MustEvaluate(MustParse(spec.dump()), MustRecognise(pod));
  ASSERT_EQ(results.size(), AllControls().size());
  for (const Control& c : AllControls()) {
    const RuleResult* r = ResultFor(results, c.id);
    ASSERT_NE(r, nullptr);
    if (c.skip_on_windows) {
      EXPECT_EQ(r->outcome, Outcome::kSkip) << c.id;
      EXPECT_NE(r->message.find("Windows"), std::string::npos) << c.id << ": " << r->message;
    } else {
      EXPECT_EQ(r->message.find("Windows"), std::string::npos) << c.id << ": " << r->message;
    }
  }
  for (const char* rule : {"require-seccomp", "require-apparmor", "restrict-capabilities"}) {
    EXPECT_TRUE(FindControl(rule)->skip_on_windows) << rule;
  }
  EXPECT_EQ(ResultFor(results, "disallow-privileged")->outcome, Outcome::kFail);
  EXPECT_EQ(ResultFor(results, "require-non-root")->outcome, Outcome::kFail);
  EXPECT_EQ(ResultFor(results, "disallow-runtime-socket")->outcome, Outcome::kPass);
  EXPECT_EQ(ResultFor(results, "restrict-host-path")->outcome, Outcome::kPass);
}

// A workload whose fields have the wrong type is an error naming the full field path.
TEST(EvaluateTest, MistypedPodSpecIsAnErrorNamingTheField) {
  struct Doc {
    const char* json;
    const char* path;
  };
  for (const Doc& d : {
           Doc{R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
                   "spec":{"template":{"spec":{"containers":"nope"}}}})",
               "spec.template.spec.containers: expected an array, got string"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"containers":[{"name":"a","securityContext":{"privileged":"yes"}}]}})",
               "spec.containers[0].securityContext.privileged: expected a boolean, got string"},
           Doc{R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},
                   "spec":{"jobTemplate":{"spec":{"template":{"spec":{
                       "volumes":[{"name":"v","hostPath":{"path":7}}]}}}}}})",
               "spec.jobTemplate.spec.template.spec.volumes[0].hostPath.path: expected a string"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"initContainers":[{"name":"i","securityContext":{"runAsUser":"0"}}]}})",
               "spec.initContainers[0].securityContext.runAsUser: expected an integer, got string"},
           // The fields the Pod Security Standards controls read.
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"hostNetwork":"yes","containers":[]}})",
               "spec.hostNetwork: expected a boolean, got string"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"containers":[{"name":"a","ports":[{"hostPort":"80"}]}]}})",
               "spec.containers[0].ports[0].hostPort: expected an integer, got string"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"containers":[{"name":"a","securityContext":{"procMount":1}}]}})",
               "spec.containers[0].securityContext.procMount: expected a string, got integer"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"securityContext":{"seLinuxOptions":{"type":[]}},"containers":[]}})",
               "spec.securityContext.seLinuxOptions.type: expected a string, got array"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"securityContext":{"sysctls":[{"name":5}]},"containers":[]}})",
               "spec.securityContext.sysctls[0].name: expected a string, got integer"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"containers":[{"name":"a",
                     "securityContext":{"windowsOptions":{"hostProcess":"true"}}}]}})",
               "spec.containers[0].securityContext.windowsOptions.hostProcess: expected a boolean"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"containers":[{"name":"a","livenessProbe":"x"}]}})",
               "spec.containers[0].livenessProbe: expected an object, got string"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                   "spec":{"containers":[{"name":"a","lifecycle":{"preStop":{"httpGet":{"host":7}}}}]}})",
               "spec.containers[0].lifecycle.preStop.httpGet.host: expected a string, got integer"},
       }) {
    const nlohmann::json object = Json(d.json);
    const Workload workload = MustRecognise(object);
    Result<std::vector<RuleResult>> results = Evaluate(DefaultPolicy(), workload, {.now = Now()});
    ASSERT_FALSE(results) << d.json;
    EXPECT_EQ(results.error().code, Code::kInvalidArgument);
    EXPECT_NE(results.error().message.find(d.path), std::string::npos)
        << results.error().message << "\nlacks: " << d.path;
  }
}

// --- Exemptions ------------------------------------------------------------------------------

struct ExemptionCase {
  std::string name = {};
  std::string exemptions = {};  // spec.exemptions, JSON
  WorkloadRef workload = {};
  std::string rule = {};
  std::optional<std::size_t> want = {};  // index of the exemption that applies
  std::chrono::sys_seconds now = Now();
};
void PrintTo(const ExemptionCase& c, std::ostream* os) { *os << c.name; }

WorkloadRef Ref(std::string kind, std::string ns, std::string name) {
  return {.api_version = kind == "Pod" ? "v1" : "apps/v1",
          .kind = std::move(kind),
          .ns = std::move(ns),
          .name = std::move(name)};
}

std::chrono::sys_seconds Time(std::string_view rfc3339) { return *ParseRfc3339(rfc3339); }

constexpr char kDbStar[] = R"([{"names":["db-*"],"reason":"r"}])";
constexpr char kExpiring[] = R"([{"reason":"r","expires":"2027-03-31T00:00:00Z"}])";

const ExemptionCase kExemptionCases[] = {
    {"none", R"([])", Ref("Deployment", "shop", "web"), "require-non-root", std::nullopt},
    {"everything", R"([{"reason":"r"}])", Ref("Deployment", "shop", "web"), "require-seccomp", 0},
    // Globs: `*` only, anchored at both ends.
    {"glob_empty_run", kDbStar, Ref("Deployment", "shop", "db-"), "require-non-root", 0},
    {"glob_run", kDbStar, Ref("Deployment", "shop", "db-main"), "require-non-root", 0},
    {"glob_anchored_start", kDbStar, Ref("Deployment", "shop", "mydb-main"), "require-non-root",
     std::nullopt},
    {"glob_needs_dash", kDbStar, Ref("Deployment", "shop", "db"), "require-non-root", std::nullopt},
    {"namespace_glob", R"([{"namespaces":["team-*"],"reason":"r"}])",
     Ref("Deployment", "team-a", "x"), "require-non-root", 0},
    {"namespace_glob_anchored", R"([{"namespaces":["team-*"],"reason":"r"}])",
     Ref("Deployment", "my-team-a", "x"), "require-non-root", std::nullopt},
    {"namespace_exact", R"([{"namespaces":["legacy"],"reason":"r"}])",
     Ref("Deployment", "legacy-2", "x"), "require-non-root", std::nullopt},
    // Kinds compare exactly.
    {"kind_exact", R"([{"kinds":["Deployment"],"reason":"r"}])", Ref("Deployment", "shop", "x"),
     "require-non-root", 0},
    {"kind_case_matters", R"([{"kinds":["deployment"],"reason":"r"}])",
     Ref("Deployment", "shop", "x"), "require-non-root", std::nullopt},
    {"kind_other", R"([{"kinds":["StatefulSet"],"reason":"r"}])", Ref("Deployment", "shop", "x"),
     "require-non-root", std::nullopt},
    {"kind_no_glob", R"([{"kinds":["*"],"reason":"r"}])", Ref("Deployment", "shop", "x"),
     "require-non-root", std::nullopt},
    // Rules: empty = every rule.
    {"rule_listed", R"([{"rules":["require-non-root","require-seccomp"],"reason":"r"}])",
     Ref("Pod", "shop", "x"), "require-seccomp", 0},
    {"rule_not_listed", R"([{"rules":["require-non-root"],"reason":"r"}])", Ref("Pod", "shop", "x"),
     "require-seccomp", std::nullopt},
    {"rules_empty_is_every_rule", R"([{"rules":[],"reason":"r"}])", Ref("Pod", "shop", "x"),
     "disallow-runtime-socket", 0},
    // AND within one exemption.
    {"and_all_fields_match",
     R"([{"rules":["require-non-root"],"namespaces":["legacy"],"kinds":["Deployment"],
          "names":["db-*"],"reason":"r"}])",
     Ref("Deployment", "legacy", "db-main"), "require-non-root", 0},
    {"and_namespace_differs",
     R"([{"namespaces":["legacy"],"kinds":["Deployment"],"names":["db-*"],"reason":"r"}])",
     Ref("Deployment", "shop", "db-main"), "require-non-root", std::nullopt},
    {"and_kind_differs",
     R"([{"namespaces":["legacy"],"kinds":["Deployment"],"names":["db-*"],"reason":"r"}])",
     Ref("StatefulSet", "legacy", "db-main"), "require-non-root", std::nullopt},
    {"and_name_differs",
     R"([{"namespaces":["legacy"],"kinds":["Deployment"],"names":["db-*"],"reason":"r"}])",
     Ref("Deployment", "legacy", "web"), "require-non-root", std::nullopt},
    // OR across exemptions (and across the entries of one field).
    {"or_second_applies",
     R"([{"names":["web"],"reason":"a"},{"namespaces":["legacy"],"reason":"b"}])",
     Ref("Deployment", "legacy", "db"), "require-non-root", 1},
    {"or_first_wins", R"([{"names":["db"],"reason":"a"},{"namespaces":["legacy"],"reason":"b"}])",
     Ref("Deployment", "legacy", "db"), "require-non-root", 0},
    {"or_within_field", R"([{"names":["web","db-*"],"reason":"r"}])",
     Ref("Deployment", "shop", "db-1"), "require-non-root", 0},
    // Expiry, relative to the time passed in.
    {"before_expiry", kExpiring, Ref("Pod", "shop", "x"), "require-non-root", 0,
     Time("2027-03-30T23:59:59Z")},
    // api.md: "after it the exemption no longer applies"; controls.md: "past its expires time".
    {"at_expiry", kExpiring, Ref("Pod", "shop", "x"), "require-non-root", 0,
     Time("2027-03-31T00:00:00Z")},
    {"after_expiry", kExpiring, Ref("Pod", "shop", "x"), "require-non-root", std::nullopt,
     Time("2027-03-31T00:00:01Z")},
    {"expiry_with_offset", R"([{"reason":"r","expires":"2027-03-31T02:00:00+02:00"}])",
     Ref("Pod", "shop", "x"), "require-non-root", std::nullopt, Time("2027-03-31T01:00:00Z")},
    {"expired_skipped_next_applies",
     R"([{"reason":"old","expires":"2020-01-01T00:00:00Z"},{"reason":"new"}])",
     Ref("Pod", "shop", "x"), "require-non-root", 1},
};

class FindExemptionTest : public testing::TestWithParam<ExemptionCase> {};

TEST_P(FindExemptionTest, Applies) {
  const ExemptionCase& c = GetParam();
  const Policy policy = MustParse(R"({"exemptions":)" + c.exemptions + "}");
  EXPECT_EQ(FindExemption(policy, c.workload, c.rule, c.now), c.want);
}

INSTANTIATE_TEST_SUITE_P(Cases, FindExemptionTest, testing::ValuesIn(kExemptionCases),
                         [](auto& info) { return info.param.name; });

TEST(EvaluateTest, ExemptedRuleSkipsWithReasonOthersEvaluated) {
  const Policy policy = MustParse(R"json({"exemptions":[
      {"rules":["disallow-runtime-socket"],"names":["other"],"reason":"unrelated"},
      {"rules":["disallow-privileged","require-non-root"],"namespaces":["sh*"],"kinds":["Pod"],
       "names":["bad"],"reason":"vendor image runs as root (SEC-12)",
       "expires":"2027-03-31T00:00:00Z"}]})json");
  const nlohmann::json pod = Json(kViolatingPod);
  const Workload workload = MustRecognise(pod);

  const std::vector<RuleResult> before =
      MustEvaluate(policy, workload, Time("2027-01-01T00:00:00Z"));
  ASSERT_EQ(before.size(), AllControls().size());
  for (const char* rule : {"disallow-privileged", "require-non-root"}) {
    const RuleResult* r = ResultFor(before, rule);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->outcome, Outcome::kSkip) << rule;
    EXPECT_EQ(r->exemption, std::optional<std::size_t>{1}) << rule;
    EXPECT_NE(r->message.find("vendor image runs as root (SEC-12)"), std::string::npos)
        << r->message;
    EXPECT_TRUE(r->containers.empty());
  }
  EXPECT_EQ(ResultFor(before, "require-seccomp")->outcome, Outcome::kFail);
  EXPECT_EQ(ResultFor(before, "disallow-runtime-socket")->outcome, Outcome::kFail);
  EXPECT_FALSE(ResultFor(before, "disallow-runtime-socket")->exemption.has_value());

  const std::vector<RuleResult> after =
      MustEvaluate(policy, workload, Time("2027-04-01T00:00:00Z"));
  ASSERT_EQ(after.size(), AllControls().size());
  for (const char* rule : {"disallow-privileged", "require-non-root"}) {
    const RuleResult* r = ResultFor(after, rule);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->outcome, Outcome::kFail) << rule;
    EXPECT_FALSE(r->exemption.has_value());
  }
}

TEST(EvaluateTest, DefaultNamespaceIsUsedForExemptionMatching) {
  const Policy policy =
      MustParse(R"({"exemptions":[{"namespaces":["ci"],"reason":"scanner namespace"}]})");
  const nlohmann::json pod = Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"a","securityContext":{"privileged":true}}]}})");
  Result<std::optional<Workload>> w = AsWorkload(pod, "ci");
  ASSERT_TRUE(w && w->has_value());
  EXPECT_EQ((*w)->ref.ns, "ci");
  Result<std::vector<RuleResult>> results = Evaluate(policy, **w, {.now = Now()});
  ASSERT_TRUE(results);
  EXPECT_EQ(ResultFor(*results, "disallow-privileged")->outcome, Outcome::kSkip);
}

// Whoever can edit a workload must not be able to switch its checks off.
TEST(EvaluateTest, WorkloadsOwnLabelsAndAnnotationsNeverExempt) {
  const nlohmann::json deployment = Json(R"({
    "apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"d","namespace":"shop",
      "labels":{"containersecurity.dev/exempt":"true","containersecurity.dev/policy":"test"},
      "annotations":{"containersecurity.dev/exempt":"true",
                     "containersecurity.dev/exemptions":"disallow-privileged",
                     "containersecurity.dev/skip":"all"}},
    "spec":{"template":{
      "metadata":{"labels":{"containersecurity.dev/exempt":"true"},
                  "annotations":{"containersecurity.dev/exempt":"true",
                                 "containersecurity.dev/exemptions":"disallow-privileged"}},
      "spec":{"containers":[{"name":"a","securityContext":{"privileged":true}}]}}}})");
  const std::vector<RuleResult> results = MustEvaluate(DefaultPolicy(), MustRecognise(deployment));
  const RuleResult* r = ResultFor(results, "disallow-privileged");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->outcome, Outcome::kFail);
  EXPECT_FALSE(r->exemption.has_value());
}

// --- Match -----------------------------------------------------------------------------------

struct MatchCase {
  std::string name = {};
  std::string match = {};                       // spec.match, JSON
  std::string workload = {};                    // the object
  std::optional<Labels> namespace_labels = {};  // nullopt: unknown
  bool want = false;
};
void PrintTo(const MatchCase& c, std::ostream* os) { *os << c.name; }

constexpr char kWebDeployment[] = R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web","namespace":"shop","labels":{"app":"web","tier":"front"}}})";
constexpr char kPlainPod[] = R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"p","namespace":"kube-system"}})";
const Labels kProd = {{"env", "prod"}, {"kubernetes.io/metadata.name", "shop"}};
const Labels kDev = {{"env", "dev"}};

const MatchCase kMatchCases[] = {
    {"empty_match_selects_all", R"({})", kWebDeployment, std::nullopt, true},
    {"kinds_listed", R"({"kinds":["Pod","Deployment"]})", kWebDeployment, std::nullopt, true},
    {"kinds_not_listed", R"({"kinds":["Pod"]})", kWebDeployment, std::nullopt, false},
    {"kinds_empty_is_all", R"({"kinds":[]})", kPlainPod, std::nullopt, true},
    {"exclude_namespace", R"({"excludeNamespaces":["kube-system"]})", kPlainPod, std::nullopt,
     false},
    {"exclude_other_namespace", R"({"excludeNamespaces":["kube-system"]})", kWebDeployment,
     std::nullopt, true},
    {"namespace_selector_known_match", R"({"namespaceSelector":{"matchLabels":{"env":"prod"}}})",
     kWebDeployment, kProd, true},
    {"namespace_selector_known_no_match", R"({"namespaceSelector":{"matchLabels":{"env":"prod"}}})",
     kWebDeployment, kDev, false},
    {"namespace_selector_unknown_labels", R"({"namespaceSelector":{"matchLabels":{"env":"prod"}}})",
     kWebDeployment, std::nullopt, false},
    {"namespace_selector_unknown_does_not_exist",
     R"({"namespaceSelector":{"matchExpressions":[{"key":"env","operator":"DoesNotExist"}]}})",
     kWebDeployment, std::nullopt, true},
    {"namespace_selector_empty_selects_unknown", R"({"namespaceSelector":{}})", kWebDeployment,
     std::nullopt, true},
    {"namespace_selector_not_in_prod",
     R"({"namespaceSelector":{"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]}})",
     kWebDeployment, kProd, false},
    {"workload_selector_match", R"({"workloadSelector":{"matchLabels":{"app":"web"}}})",
     kWebDeployment, std::nullopt, true},
    {"workload_selector_no_match", R"({"workloadSelector":{"matchLabels":{"app":"db"}}})",
     kWebDeployment, std::nullopt, false},
    {"workload_selector_no_labels", R"({"workloadSelector":{"matchLabels":{"app":"web"}}})",
     kPlainPod, std::nullopt, false},
    {"workload_selector_expression",
     R"({"workloadSelector":{"matchExpressions":[{"key":"tier","operator":"In","values":["front","back"]}]}})",
     kWebDeployment, std::nullopt, true},
    {"all_fields_and",
     R"({"kinds":["Deployment"],"excludeNamespaces":["kube-system"],
         "namespaceSelector":{"matchLabels":{"env":"prod"}},
         "workloadSelector":{"matchLabels":{"app":"web"}}})",
     kWebDeployment, kProd, true},
    {"all_fields_one_fails",
     R"({"kinds":["Deployment"],"namespaceSelector":{"matchLabels":{"env":"prod"}},
         "workloadSelector":{"matchLabels":{"app":"web"}}})",
     kWebDeployment, kDev, false},
};

class MatchesTest : public testing::TestWithParam<MatchCase> {};

TEST_P(MatchesTest, Selects) {
  const MatchCase& c = GetParam();
  const Policy policy = MustParse(R"({"match":)" + c.match + "}");
  const nlohmann::json object = Json(c.workload);
  const Workload workload = MustRecognise(object);
  EXPECT_EQ(Matches(policy, workload, c.namespace_labels ? &*c.namespace_labels : nullptr), c.want);
}

INSTANTIATE_TEST_SUITE_P(Cases, MatchesTest, testing::ValuesIn(kMatchCases),
                         [](auto& info) { return info.param.name; });

// --- Recognising workloads ---------------------------------------------------------------------

struct KindCase {
  std::string name = {};
  std::string object = {};
  std::string kind = {};
  std::string pod_spec_path = {};
  std::string annotation = {};  // value of the pod (template) annotation "a", "" if none
};
void PrintTo(const KindCase& c, std::ostream* os) { *os << c.name; }

// Each object's pod spec holds one container named "here"; decoys elsewhere are named "wrong".
const KindCase kKindCases[] = {
    {"pod",
     R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","annotations":{"a":"pod"}},
         "spec":{"containers":[{"name":"here"}]}})",
     "Pod", "spec", "pod"},
    {"deployment",
     R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x","annotations":{"a":"wrong"}},
         "spec":{"containers":[{"name":"wrong"}],
                 "template":{"metadata":{"annotations":{"a":"tmpl"}},
                             "spec":{"containers":[{"name":"here"}]}}}})",
     "Deployment", "spec.template.spec", "tmpl"},
    {"deployment_extensions",
     R"({"apiVersion":"extensions/v1beta1","kind":"Deployment","metadata":{"name":"x"},
         "spec":{"template":{"spec":{"containers":[{"name":"here"}]}}}})",
     "Deployment", "spec.template.spec"},
    {"deployment_apps_v1beta2",
     R"({"apiVersion":"apps/v1beta2","kind":"Deployment","metadata":{"name":"x"},
         "spec":{"template":{"spec":{"containers":[{"name":"here"}]}}}})",
     "Deployment", "spec.template.spec"},
    {"replica_set",
     R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"x"},
         "spec":{"template":{"spec":{"containers":[{"name":"here"}]}}}})",
     "ReplicaSet", "spec.template.spec"},
    {"stateful_set",
     R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"x"},
         "spec":{"template":{"spec":{"containers":[{"name":"here"}]}}}})",
     "StatefulSet", "spec.template.spec"},
    {"daemon_set",
     R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"x"},
         "spec":{"template":{"metadata":{"annotations":{"a":"ds"}},
                             "spec":{"containers":[{"name":"here"}]}}}})",
     "DaemonSet", "spec.template.spec", "ds"},
    {"job",
     R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"x"},
         "spec":{"template":{"spec":{"containers":[{"name":"here"}]}}}})",
     "Job", "spec.template.spec"},
    {"cron_job",
     R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"x"},
         "spec":{"template":{"spec":{"containers":[{"name":"wrong"}]}},
                 "jobTemplate":{"spec":{"template":{"metadata":{"annotations":{"a":"cron"}},
                                                    "spec":{"containers":[{"name":"here"}]}}}}}})",
     "CronJob", "spec.jobTemplate.spec.template.spec", "cron"},
    {"cron_job_v1beta1",
     R"({"apiVersion":"batch/v1beta1","kind":"CronJob","metadata":{"name":"x"},
         "spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"here"}]}}}}}})",
     "CronJob", "spec.jobTemplate.spec.template.spec"},
    {"replication_controller",
     R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"x"},
         "spec":{"template":{"spec":{"containers":[{"name":"here"}]}}}})",
     "ReplicationController", "spec.template.spec"},
    {"pod_template",
     R"({"apiVersion":"v1","kind":"PodTemplate","metadata":{"name":"x"},
         "spec":{"containers":[{"name":"wrong"}]},
         "template":{"metadata":{"annotations":{"a":"pt"}},"spec":{"containers":[{"name":"here"}]}}})",
     "PodTemplate", "template.spec", "pt"},
};

class AsWorkloadTest : public testing::TestWithParam<KindCase> {};

TEST_P(AsWorkloadTest, FindsThePodSpec) {
  const KindCase& c = GetParam();
  const nlohmann::json object = Json(c.object);
  Result<std::optional<Workload>> got = AsWorkload(object, "default");
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value()) << "not recognised";
  const Workload& w = **got;
  EXPECT_EQ(w.ref.kind, c.kind);
  EXPECT_EQ(w.ref.api_version, object["apiVersion"].get<std::string>());
  EXPECT_EQ(w.ref.name, "x");
  EXPECT_EQ(w.ref.ns, "default");
  EXPECT_EQ(w.object, &object);
  EXPECT_EQ(w.pod_spec_path, c.pod_spec_path);
  ASSERT_NE(w.pod_spec, nullptr);
  EXPECT_EQ((*w.pod_spec)["containers"][0]["name"], "here");
  if (c.annotation.empty()) {
    EXPECT_TRUE(w.annotations == nullptr || !w.annotations->contains("a"));
  } else {
    ASSERT_NE(w.annotations, nullptr);
    EXPECT_EQ(w.annotations->value("a", ""), c.annotation);
  }
  // The pod spec found is the one evaluated: its one container is the one reported.
  Result<std::vector<RuleResult>> results = Evaluate(DefaultPolicy(), w, {.now = Now()});
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_EQ(ResultFor(*results, "require-non-root")->containers, std::vector<std::string>{"here"});
}

INSTANTIATE_TEST_SUITE_P(Cases, AsWorkloadTest, testing::ValuesIn(kKindCases),
                         [](auto& info) { return info.param.name; });

TEST(AsWorkloadOtherTest, OtherKindsAndGroupsAreIgnored) {
  for (const char* doc : {
           R"({"apiVersion":"example.com/v1","kind":"Deployment","metadata":{"name":"x"},
               "spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}})",
           R"({"apiVersion":"apps/v1","kind":"Pod","metadata":{"name":"x"}})",
           R"({"apiVersion":"batch/v1","kind":"Deployment","metadata":{"name":"x"}})",
           R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}})",
           R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}})",
           R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"x"}})",
           R"({"apiVersion":"example.com/v1","kind":"Widget"})",
           R"({"kind":"Widget"})",
           R"({"apiVersion":"v1"})",
           R"([1,2])",
       }) {
    Result<std::optional<Workload>> got = AsWorkload(Json(doc), "default");
    ASSERT_TRUE(got) << doc << ": " << got.error().message;
    EXPECT_FALSE(got->has_value()) << doc;
  }
}

TEST(AsWorkloadOtherTest, WorkloadKindWithoutApiVersionIsAnError) {
  for (const char* kind : {"Pod", "Deployment", "CronJob", "PodTemplate"}) {
    const nlohmann::json object = {{"kind", kind}, {"metadata", {{"name", "x"}}}};
    Result<std::optional<Workload>> got = AsWorkload(object, "default");
    ASSERT_FALSE(got) << kind;
    EXPECT_EQ(got.error().code, Code::kInvalidArgument);
    EXPECT_NE(got.error().message.find("apiVersion"), std::string::npos) << got.error().message;
    EXPECT_NE(got.error().message.find(kind), std::string::npos) << got.error().message;
  }
}

TEST(AsWorkloadOtherTest, MistypedEnvelopeIsAnErrorNamingTheField) {
  struct Doc {
    const char* json;
    const char* path;
  };
  for (const Doc& d : {
           Doc{R"({"apiVersion":5,"kind":"Pod"})", "apiVersion"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":"x"})", "metadata"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":3}})", "metadata.name"},
           Doc{R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":1}}})",
               "metadata.labels.a"},
           Doc{R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
                   "spec":{"template":"nope"}})",
               "spec.template"},
           Doc{R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},
                   "spec":{"jobTemplate":[]}})",
               "spec.jobTemplate"},
       }) {
    Result<std::optional<Workload>> got = AsWorkload(Json(d.json), "default");
    ASSERT_FALSE(got) << d.json;
    EXPECT_NE(got.error().message.find(d.path), std::string::npos)
        << got.error().message << "\nlacks: " << d.path;
  }
}

TEST(AsWorkloadOtherTest, NamespaceDefaultsOnlyWhenMissing) {
  const nlohmann::json with = Json(R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"p","namespace":"shop","uid":"u-1"},"spec":{}})");
  const nlohmann::json without =
      Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}})");
  Result<std::optional<Workload>> a = AsWorkload(with, "fallback");
  Result<std::optional<Workload>> b = AsWorkload(without, "fallback");
  ASSERT_TRUE(a && a->has_value());
  ASSERT_TRUE(b && b->has_value());
  EXPECT_EQ((*a)->ref.ns, "shop");
  EXPECT_EQ((*a)->ref.uid, "u-1");
  EXPECT_EQ((*b)->ref.ns, "fallback");
  // A workload without a pod spec has nothing to look at: every enabled rule passes.
  Result<std::vector<RuleResult>> results = Evaluate(DefaultPolicy(), **b, {.now = Now()});
  ASSERT_TRUE(results) << results.error().message;
  for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ((*results)[i].outcome, Outcome::kPass);
}

TEST(ApiGroupTest, SplitsApiVersion) {
  EXPECT_EQ(ApiGroup("v1"), "");
  EXPECT_EQ(ApiGroup("apps/v1"), "apps");
  EXPECT_EQ(ApiGroup("batch/v1beta1"), "batch");
  EXPECT_TRUE(IsWorkloadKind("", "Pod"));
  EXPECT_TRUE(IsWorkloadKind("extensions", "Deployment"));
  EXPECT_FALSE(IsWorkloadKind("example.com", "Deployment"));
  EXPECT_FALSE(IsWorkloadKind("", "Deployment"));
}

// A kind a policy may match is one the engine can read a pod spec from.
TEST(IsWorkloadKindTest, KnowsEveryWorkloadKindOfNames) {
  for (const names::Resource& r : names::kWorkloads) {
    EXPECT_TRUE(IsWorkloadKind(r.group, r.kind)) << r.group << "/" << r.kind;
  }
}

}  // namespace
}  // namespace csp::policy
