// Judge: every decision of docs/admission.md "What is judged", one named case each, with the
// exact message and warnings.
#include "csp/admission/judge.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "csp/names/names.h"
#include "review_builder.h"
#include "test_util.h"

namespace csp::admission {
namespace {

using controllers::test::BadPodSpec;
using controllers::test::GoodPodSpec;
using controllers::test::MakePolicy;
using controllers::test::MakeWorkload;
using controllers::test::Now;
using json = nlohmann::json;
using test::OwnedBy;
using test::ReviewDoc;

constexpr char kDeny[] = R"({"admission": "Deny"})";
constexpr char kWarn[] = R"({"admission": "Warn"})";
const std::string kPrivileged =
    R"(disallow-privileged: container "app": securityContext.privileged is true)";
const std::string kNoSeccomp =
    R"(require-seccomp: container "app": seccompProfile is not set (the container runs Unconfined))";

std::string Prefix(std::string_view policy) { return PolicyPrefix(policy); }

// BadPodSpec without the pod's seccomp profile: fails disallow-privileged and require-seccomp.
json TwoRulesPodSpec() {
  json spec = BadPodSpec();
  spec["securityContext"].erase("seccompProfile");
  return spec;
}

json Deployment(const json& pod_spec, const json& spec_extra = json::object(),
                const json& metadata_extra = json::object()) {
  return MakeWorkload("Deployment", "web", pod_spec, spec_extra, metadata_extra);
}

json WithDebugContainer(json pod, bool privileged) {
  pod["spec"]["ephemeralContainers"] = {
      {{"name", "debug"},
       {"image", "busybox"},
       {"securityContext", {{"privileged", privileged}, {"capabilities", {{"drop", {"ALL"}}}}}}}};
  return pod;
}

json Quarantined(json daemon_set) {
  daemon_set["spec"]["template"]["spec"]["nodeSelector"][std::string(names::kQuarantineKey)] =
      "true";
  return daemon_set;
}

// Deployment web (labels team=a) -> ReplicaSet web-abc -> Pod web-abc-x (labels team=b).
const json kWeb = Deployment(BadPodSpec(), json::object(), {{"labels", {{"team", "a"}}}});
const json kWebReplicaSet = OwnedBy(MakeWorkload("ReplicaSet", "web-abc", BadPodSpec()), kWeb);
json WebPod(const json& pod_spec = BadPodSpec()) {
  return OwnedBy(
      MakeWorkload("Pod", "web-abc-x", pod_spec, json::object(), {{"labels", {{"team", "b"}}}}),
      kWebReplicaSet);
}

struct Case {
  std::string name;
  std::vector<std::pair<std::string, std::string>> policies;  // name, spec (JSON)
  json review;
  Verdict want;
  std::vector<json> cache = {};  // what the owner lookup finds
  std::optional<policy::Labels> namespace_labels = std::nullopt;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

Verdict Refused(std::string message, std::vector<std::string> warnings = {}) {
  return {.allowed = false, .code = 403, .message = std::move(message), .warnings = warnings};
}
Verdict Warned(std::vector<std::string> warnings) { return {.warnings = std::move(warnings)}; }

const Case kCases[] = {
    // Deny, Warn, both, none.
    {.name = "DenyRefusesViolator",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = Refused(Prefix("prod") + kPrivileged)},
    {.name = "DenyAdmitsCompliant",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("CREATE", Deployment(GoodPodSpec())),
     .want = {}},
    {.name = "DenyNamesEveryFailingRule",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("CREATE", Deployment(TwoRulesPodSpec())),
     .want = Refused(Prefix("prod") + kPrivileged + "; " + kNoSeccomp)},
    {.name = "WarnAdmitsWithOneWarningPerFailingRule",
     .policies = {{"audit", kWarn}},
     .review = ReviewDoc("CREATE", Deployment(TwoRulesPodSpec())),
     .want = Warned({Prefix("audit") + kPrivileged, Prefix("audit") + kNoSeccomp})},
    {.name = "DenyRefusalCarriesWarnPoliciesWarnings",
     .policies = {{"prod", kDeny}, {"audit", kWarn}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = Refused(Prefix("prod") + kPrivileged, {Prefix("audit") + kPrivileged})},
    {.name = "EveryFailingDenyPolicyInNameOrder",
     .policies = {{"zeta", kDeny}, {"alpha", kDeny}, {"mid", kWarn}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = Refused(Prefix("alpha") + kPrivileged + "; " + Prefix("zeta") + kPrivileged,
                     {Prefix("mid") + kPrivileged})},
    {.name = "OnlyFailingDenyPoliciesAreNamed",
     .policies = {{"lax",
                   R"({"admission": "Deny", "controls": {"privileged": {"enabled": false}}})"},
                  {"prod", kDeny}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = Refused(Prefix("prod") + kPrivileged)},
    {.name = "AdmissionNoneIsNotConsulted",
     .policies = {{"reports-only", "{}"}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = {}},
    {.name = "DisabledControlNeverFails",
     .policies = {{"prod",
                   R"({"admission": "Deny", "controls": {"privileged": {"enabled": false}}})"}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = {}},
    // Exemptions, judged at the caller's time (2026-03-01T12:00:00Z).
    {.name = "ExemptionAdmits",
     .policies = {{"prod", R"({"admission": "Deny",
                               "exemptions": [{"names": ["web"], "reason": "legacy"}]})"}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = {}},
    {.name = "ExemptionStillAppliesUntilExpiry",
     .policies = {{"prod", R"({"admission": "Deny", "exemptions": [{"names": ["web"],
                               "reason": "legacy", "expires": "2026-03-01T12:00:00Z"}]})"}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = {}},
    {.name = "ExpiredExemptionNoLongerAdmits",
     .policies = {{"prod", R"({"admission": "Deny", "exemptions": [{"names": ["web"],
                               "reason": "legacy", "expires": "2026-03-01T11:59:59Z"}]})"}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = Refused(Prefix("prod") + kPrivileged)},
    {.name = "ExemptionOfOneRuleLeavesTheOthers",
     .policies = {{"prod", R"({"admission": "Deny", "exemptions": [{"names": ["web"],
                               "rules": ["disallow-privileged"], "reason": "legacy"}]})"}},
     .review = ReviewDoc("CREATE", Deployment(TwoRulesPodSpec())),
     .want = Refused(Prefix("prod") + kNoSeccomp)},
    // UPDATE: judged only when the pod template changes.
    {.name = "UpdateWithoutTemplateChangeAdmitsOldViolator",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("UPDATE", Deployment(BadPodSpec(), {{"replicas", 3}}),
                         Deployment(BadPodSpec(), {{"replicas", 1}})),
     .want = {}},
    {.name = "ScaleToZeroAdmitsViolator",
     .policies = {{"prod", kDeny}, {"audit", kWarn}},
     .review = ReviewDoc("UPDATE", Deployment(BadPodSpec(), {{"replicas", 0}}),
                         Deployment(BadPodSpec(), {{"replicas", 2}})),
     .want = {}},
    {.name = "LabelAndAnnotationChangesAdmitViolator",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc(
         "UPDATE",
         Deployment(
             BadPodSpec(), json::object(),
             {{"labels", {{"containersecurity.dev/compliant", "false"}}},
              {"annotations", {{"containersecurity.dev/violations", "disallow-privileged"}}}}),
         Deployment(BadPodSpec())),
     .want = {}},
    {.name = "UpdateChangingTheTemplateIsJudged",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("UPDATE", Deployment(BadPodSpec()), Deployment(GoodPodSpec())),
     .want = Refused(Prefix("prod") + kPrivileged)},
    {.name = "UpdateChangingAnImageJudgesOldViolations",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("UPDATE", Deployment([] {
                           json spec = BadPodSpec();
                           spec["containers"][0]["image"] = "nginx:1.28";
                           return spec;
                         }()),
                         Deployment(BadPodSpec())),
     .want = Refused(Prefix("prod") + kPrivileged)},
    {.name = "UpdateAddingAnAppArmorAnnotationIsJudged",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc(
         "UPDATE",
         Deployment(
             GoodPodSpec(),
             {{"template",
               {{"metadata",
                 {{"annotations",
                   {{"container.apparmor.security.beta.kubernetes.io/app", "unconfined"}}}}}}}}),
         Deployment(GoodPodSpec())),
     .want = Refused(Prefix("prod") +
                     R"(require-apparmor: container "app": annotation )"
                     R"(container.apparmor.security.beta.kubernetes.io/app is unconfined)")},
    {.name = "QuarantinePatchAdmitsViolatingDaemonSet",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("UPDATE", Quarantined(MakeWorkload("DaemonSet", "agent", BadPodSpec())),
                         MakeWorkload("DaemonSet", "agent", BadPodSpec())),
     .want = {}},
    {.name = "RestorePatchAdmitsViolatingDaemonSet",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("UPDATE", MakeWorkload("DaemonSet", "agent", BadPodSpec()),
                         Quarantined(MakeWorkload("DaemonSet", "agent", BadPodSpec()))),
     .want = {}},
    {.name = "StatusUpdateAdmits",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("UPDATE", Deployment(BadPodSpec()), Deployment(GoodPodSpec()), "status"),
     .want = {}},
    // kubectl debug: pods/ephemeralcontainers carries the Pod with its new containers.
    {.name = "PrivilegedEphemeralContainerRefused",
     .policies = {{"prod", kDeny}},
     .review =
         ReviewDoc("UPDATE", WithDebugContainer(MakeWorkload("Pod", "api", GoodPodSpec()), true),
                   MakeWorkload("Pod", "api", GoodPodSpec()), "ephemeralcontainers"),
     .want = Refused(Prefix("prod") + R"(disallow-privileged: ephemeralContainer "debug": )"
                                      R"(securityContext.privileged is true)")},
    {.name = "CompliantEphemeralContainerAdmitted",
     .policies = {{"prod", kDeny}},
     .review =
         ReviewDoc("UPDATE", WithDebugContainer(MakeWorkload("Pod", "api", GoodPodSpec()), false),
                   MakeWorkload("Pod", "api", GoodPodSpec()), "ephemeralcontainers"),
     .want = {}},
    // Kinds and operations that are never judged.
    {.name = "DeleteAdmits",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("DELETE", nullptr, Deployment(BadPodSpec())),
     .want = {}},
    {.name = "ConnectAdmits",
     .policies = {{"prod", kDeny}},
     .review =
         ReviewDoc("CONNECT", {{"apiVersion", "v1"}, {"kind", "PodExecOptions"}}, nullptr, "exec"),
     .want = {}},
    {.name = "OtherKindAdmits",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("CREATE", {{"apiVersion", "v1"},
                                    {"kind", "ConfigMap"},
                                    {"metadata", {{"name", "c"}, {"namespace", "default"}}},
                                    {"spec", {{"template", {{"spec", BadPodSpec()}}}}}}),
     .want = {}},
    {.name = "DeploymentOfAnotherGroupAdmits",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("CREATE",
                         [] {
                           json d = Deployment(BadPodSpec());
                           d["apiVersion"] = "example.com/v1";
                           return d;
                         }()),
     .want = {}},
    {.name = "EveryWorkloadKindIsJudged_CronJob",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("CREATE", MakeWorkload("CronJob", "nightly", BadPodSpec())),
     .want = Refused(Prefix("prod") + kPrivileged)},
    // Controller-made objects are matched and exempted as their top-level owner.
    {.name = "OwnedPodRefusedAsItsOwner",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("CREATE", WebPod()),
     .want = Refused(Prefix("prod") + kPrivileged),
     .cache = {kWeb, kWebReplicaSet}},
    {.name = "OwnersExemptionAdmitsItsPods",
     .policies = {{"prod", R"({"admission": "Deny", "exemptions": [{"kinds": ["Deployment"],
                               "names": ["web"], "reason": "legacy"}]})"}},
     .review = ReviewDoc("CREATE", WebPod()),
     .want = {},
     .cache = {kWeb, kWebReplicaSet}},
    {.name = "OwnersExemptionAdmitsItsReplicaSets",
     .policies = {{"prod", R"({"admission": "Deny", "exemptions": [{"kinds": ["Deployment"],
                               "names": ["web"], "reason": "legacy"}]})"}},
     .review = ReviewDoc("CREATE", kWebReplicaSet),
     .want = {},
     .cache = {kWeb}},
    {.name = "PodsOwnExemptionDoesNotAdmitOwnedPod",
     .policies = {{"prod", R"({"admission": "Deny", "exemptions": [{"kinds": ["Pod"],
                               "reason": "pods are fine"}]})"}},
     .review = ReviewDoc("CREATE", WebPod()),
     .want = Refused(Prefix("prod") + kPrivileged),
     .cache = {kWeb, kWebReplicaSet}},
    {.name = "WorkloadSelectorReadsTheOwnersLabels",
     .policies = {{"team-a", R"({"admission": "Deny",
                                 "match": {"workloadSelector": {"matchLabels": {"team": "a"}}}})"},
                  {"team-b", R"({"admission": "Deny",
                                 "match": {"workloadSelector": {"matchLabels": {"team": "b"}}}})"}},
     .review = ReviewDoc("CREATE", WebPod()),
     .want = Refused(Prefix("team-a") + kPrivileged),
     .cache = {kWeb, kWebReplicaSet}},
    {.name = "KindsFilterSeesTheOwnersKind",
     .policies = {{"deployments", R"({"admission": "Deny", "match": {"kinds": ["Deployment"]}})"},
                  {"pods", R"({"admission": "Deny", "match": {"kinds": ["Pod"]}})"}},
     .review = ReviewDoc("CREATE", WebPod()),
     .want = Refused(Prefix("deployments") + kPrivileged),
     .cache = {kWeb, kWebReplicaSet}},
    {.name = "BarePodMatchesAsAPod",
     .policies = {{"deployments", R"({"admission": "Deny", "match": {"kinds": ["Deployment"]}})"},
                  {"pods", R"({"admission": "Deny", "match": {"kinds": ["Pod"]}})"}},
     .review = ReviewDoc("CREATE", MakeWorkload("Pod", "debug", BadPodSpec())),
     .want = Refused(Prefix("pods") + kPrivileged)},
    {.name = "OwnerMissingJudgesAsTheReferencedOwner",
     .policies = {{"prod", R"({"admission": "Deny", "exemptions": [{"kinds": ["ReplicaSet"],
                               "names": ["web-*"], "reason": "the owner is exempt"}]})"}},
     .review = ReviewDoc("CREATE", WebPod()),
     .want = {}},
    {.name = "OwnerMissingUsesThePodsLabels",
     .policies = {{"team-a", R"({"admission": "Deny",
                                 "match": {"workloadSelector": {"matchLabels": {"team": "a"}}}})"},
                  {"team-b", R"({"admission": "Deny",
                                 "match": {"workloadSelector": {"matchLabels": {"team": "b"}}}})"}},
     .review = ReviewDoc("CREATE", WebPod()),
     .want = Refused(Prefix("team-b") + kPrivileged)},
    // Namespace selection.
    {.name = "NamespaceSelectorMatches",
     .policies = {{"prod", R"({"admission": "Deny",
                              "match": {"namespaceSelector": {"matchLabels": {"env": "prod"}}}})"}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = Refused(Prefix("prod") + kPrivileged),
     .namespace_labels = policy::Labels{{"env", "prod"}}},
    {.name = "NamespaceSelectorDoesNotMatch",
     .policies = {{"prod", R"({"admission": "Deny",
                              "match": {"namespaceSelector": {"matchLabels": {"env": "prod"}}}})"}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = {},
     .namespace_labels = policy::Labels{{"env", "dev"}}},
    {.name = "UnknownNamespaceHasNoLabels",
     .policies = {{"prod", R"({"admission": "Deny",
                              "match": {"namespaceSelector": {"matchLabels": {"env": "prod"}}}})"}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = {}},
    {.name = "ExcludedNamespaceAdmits",
     .policies = {{"prod",
                   R"({"admission": "Deny", "match": {"excludeNamespaces": ["default"]}})"}},
     .review = ReviewDoc("CREATE", Deployment(BadPodSpec())),
     .want = {}},
    // Workloads the engine cannot read: refused like Pod Security Admission, with 400.
    {.name = "MistypedPodSpecRefusedByDeny",
     .policies = {{"prod", kDeny}, {"audit", kWarn}},
     .review = ReviewDoc("CREATE", Deployment({{"containers", "app"}})),
     .want = {.allowed = false,
              .code = 400,
              .message = Prefix("prod") +
                         "cannot judge Deployment default/web: spec.template.spec.containers: "
                         "expected an array, got string",
              .warnings = {Prefix("audit") +
                           "cannot judge Deployment default/web: spec.template.spec.containers: "
                           "expected an array, got string"}}},
    {.name = "MistypedMetadataRefusedByDeny",
     .policies = {{"prod", kDeny}},
     .review = ReviewDoc("CREATE",
                         Deployment(GoodPodSpec(), json::object(), {{"labels", {{"team", 7}}}})),
     .want = {.allowed = false,
              .code = 400,
              .message = Prefix("prod") +
                         "cannot judge Deployment default/web: metadata.labels.team: expected a "
                         "string, got integer"}},
    {.name = "MistypedPodSpecOnlyWarnedByWarn",
     .policies = {{"audit", kWarn}},
     .review = ReviewDoc("CREATE", Deployment({{"containers", "app"}})),
     .want = Warned({Prefix("audit") +
                     "cannot judge Deployment default/web: spec.template.spec.containers: "
                     "expected an array, got string"})},
};

class JudgeTest : public testing::TestWithParam<Case> {};

TEST_P(JudgeTest, Judges) {
  const Case& c = GetParam();
  std::vector<policy::Policy> policies;
  for (const auto& [name, spec] : c.policies) policies.push_back(MakePolicy(name, spec));
  const AdmissionRequest request = test::MustParse(c.review);
  const Verdict got = Judge(request, policies, c.namespace_labels ? &*c.namespace_labels : nullptr,
                            test::LookupIn(c.cache), {.now = Now()});
  EXPECT_EQ(got.allowed, c.want.allowed);
  EXPECT_EQ(got.code, c.want.code);
  EXPECT_EQ(got.message, c.want.message);
  EXPECT_EQ(got.warnings, c.want.warnings);
}

INSTANTIATE_TEST_SUITE_P(Cases, JudgeTest, testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

// An `error` result (a signature that could not be checked) refuses nothing: it warns, under
// Deny and Warn alike.
class FailingVerifier : public policy::ImageSignatures {
 public:
  std::optional<policy::SignatureVerdict> Lookup(std::string_view, std::string* detail) const {
    *detail = "registry unreachable";
    return policy::SignatureVerdict::kError;
  }
};

TEST(JudgeErrorResultTest, WarnsAndAdmits) {
  constexpr char kSigned[] = R"({"admission": "Deny", "controls": {"imageSignature": {
      "enabled": true, "keys": [{"name": "k", "publicKey":
      "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"}]}}})";
  const std::vector<policy::Policy> policies = {MakePolicy("signed", kSigned)};
  const FailingVerifier verifier;
  const Verdict got = Judge(test::MustParse(ReviewDoc("CREATE", Deployment(GoodPodSpec()))),
                            policies, nullptr, nullptr, {.now = Now(), .signatures = &verifier});
  EXPECT_TRUE(got.allowed);
  EXPECT_EQ(got.warnings,
            std::vector<std::string>{
                Prefix("signed") +
                R"(require-image-signature: could not be decided: container "app": image )"
                R"(nginx:1.27: signature could not be checked: registry unreachable)"});
}

}  // namespace
}  // namespace csp::admission
