// The generated ValidatingAdmissionPolicy's shape and the split between it and the webhook. That
// the CEL judges as the engine does is shown against the real API server
// (tests/e2e/operator_vap_test.cc): no CEL interpreter runs here.
#include "csp/controllers/validating_admission_policy.h"

#include <gtest/gtest.h>

#include "csp/common/rfc3339.h"
#include "csp/controllers/webhook_configuration.h"
#include "csp/policy/control.h"
#include "test_util.h"

namespace csp::controllers {
namespace {

using test::json;

using test::MakePolicy;

constexpr char kVapDeny[] = R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy"})";

std::chrono::sys_seconds At(const char* text) { return *ParseRfc3339(text); }

std::vector<std::string> RulesIn(const json& status, std::string_view where) {
  std::vector<std::string> out;
  for (const json& r : status.at("rules")) {
    if (r.at("runsIn") == where) out.push_back(r.at("rule"));
  }
  return out;
}

// The controls a policy enables when it says nothing (all but the image signature, and those
// the registry leaves off by default).
std::size_t EnabledByDefault() {
  std::size_t n = 0;
  for (const policy::Control& c : policy::AllControls()) n += c.enabled_by_default;
  return n;
}

TEST(PlanAdmissionTest, RoutesFollowModeAndExpressibility) {
  struct Case {
    const char* name;
    const char* spec;
    AdmissionRoute route;
    std::size_t vap_rules;
  };
  const Case cases[] = {
      {"none", R"({"admissionMode":"ValidatingAdmissionPolicy"})", AdmissionRoute::kNone, 0},
      {"webhook_mode", R"({"admission":"Deny"})", AdmissionRoute::kWebhook, 0},
      {"vap_mode", kVapDeny, AdmissionRoute::kDeferred, EnabledByDefault()},
      {"vap_mode_digest",
       R"({"admission":"Warn","admissionMode":"ValidatingAdmissionPolicy",
           "controls":{"imageSignature":{"enabled":true,"requireDigest":true}}})",
       AdmissionRoute::kDeferred, EnabledByDefault() + 1},
      {"vap_mode_keys",
       R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
           "controls":{"imageSignature":{"enabled":true,"keys":[{"name":"k",
             "publicKey":"-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----"}]}}})",
       AdmissionRoute::kWebhook, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const AdmissionPlan plan = PlanAdmission(MakePolicy("p", c.spec));
    EXPECT_EQ(plan.route, c.route);
    EXPECT_EQ(plan.vap_rules.size(), c.vap_rules);
  }
  const AdmissionPlan keys = PlanAdmission(MakePolicy("p", cases[4].spec));
  EXPECT_EQ(keys.not_expressible, "require-image-signature");
  EXPECT_EQ(keys.webhook_rules.size(), EnabledByDefault() + 1);
}

// Every control has a CEL form (tests/policy/cel_test.cc), so a default policy in
// ValidatingAdmissionPolicy mode runs each rule it enables in the VAP: none sends it to the
// webhook whole.
TEST(PlanAdmissionTest, DefaultPolicyRunsEveryRuleInTheVap) {
  const AdmissionPlan plan = PlanAdmission(MakePolicy("p", kVapDeny));
  EXPECT_EQ(plan.route, AdmissionRoute::kDeferred);
  EXPECT_EQ(plan.not_expressible, "");
  EXPECT_EQ(plan.vap_rules.size(), EnabledByDefault());
}

TEST(PlanAdmissionTest, DefersOwnedObjectsOnlyWhenTheOwnerDecides) {
  // Seccomp/AppArmor on: csp-agent's Localhost profiles always go to the webhook.
  const AdmissionPlan plain = PlanAdmission(MakePolicy("p", kVapDeny));
  EXPECT_NE(plain.deferred.find("containersecurity"), std::string::npos);
  EXPECT_EQ(plain.deferred.find("ownerReferences"), std::string::npos);
  EXPECT_EQ(plain.deferred_reasons.size(), 1u);

  for (const char* spec : {
           R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
               "match":{"kinds":["Deployment"]}})",
           R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
               "match":{"workloadSelector":{"matchLabels":{"a":"b"}}}})",
           R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
               "exemptions":[{"names":["db-*"],"reason":"r"}]})",
       }) {
    SCOPED_TRACE(spec);
    EXPECT_NE(PlanAdmission(MakePolicy("p", spec)).deferred.find("ownerReferences"),
              std::string::npos);
  }
  // A namespace-only exemption: the owner lives in the same namespace, CEL decides alone.
  const AdmissionPlan by_namespace = PlanAdmission(
      MakePolicy("p", R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
               "exemptions":[{"namespaces":["legacy"],"reason":"r"}]})"));
  EXPECT_EQ(by_namespace.deferred.find("ownerReferences"), std::string::npos);

  const AdmissionPlan nothing = PlanAdmission(
      MakePolicy("p", R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
               "controls":{"seccomp":{"enabled":false},"appArmor":{"enabled":false}}})"));
  EXPECT_EQ(nothing.deferred, "false");
}

TEST(DesiredValidatingAdmissionPolicyTest, OneValidationPerEnabledRuleAndABinding) {
  const policy::Policy p =
      MakePolicy("prod", R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
                  "match":{"namespaceSelector":{"matchLabels":{"env":"prod"}},
                           "excludeNamespaces":["legacy"]},
                  "controls":{"appArmor":{"enabled":false}}})");
  auto got = DesiredValidatingAdmissionPolicy(
      p, {.failure_policy = "Fail", .exclude_namespaces = {"kube-system"}},
      At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(got);
  const json& spec = got->policy.at("spec");
  EXPECT_EQ(got->policy.at("metadata").at("name"), "csp-prod");
  EXPECT_EQ(got->policy.at("metadata").at("ownerReferences").at(0).at("uid"), "p-prod");
  EXPECT_EQ(spec.at("failurePolicy"), "Fail");
  EXPECT_EQ(spec.at("validations").size(), EnabledByDefault() - 1);  // AppArmor off
  EXPECT_NE(spec.at("validations")
                .at(0)
                .at("messageExpression")
                .get<std::string>()
                .find(R"(containersecurity.dev policy "prod": disallow-privileged: )"),
            std::string::npos);
  const json expressions =
      spec.at("matchConstraints").at("namespaceSelector").at("matchExpressions");
  EXPECT_EQ(expressions.at(0), json::parse(R"({"key":"env","operator":"In","values":["prod"]})"));
  EXPECT_EQ(expressions.at(1),
            json::parse(R"({"key":"kubernetes.io/metadata.name","operator":"NotIn",
                            "values":["kube-system","legacy"]})"));
  EXPECT_EQ(got->binding.at("spec").at("policyName"), "csp-prod");
  EXPECT_EQ(got->binding.at("spec").at("validationActions"), json::array({"Deny"}));
  EXPECT_FALSE(got->regenerate_at);

  // Warn: the binding warns, and CEL failing never refuses a request.
  const policy::Policy warn =
      MakePolicy("audit", R"({"admission":"Warn","admissionMode":"ValidatingAdmissionPolicy"})");
  auto warned = DesiredValidatingAdmissionPolicy(warn, {}, At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(warned);
  EXPECT_EQ(warned->binding.at("spec").at("validationActions"), json::array({"Warn"}));
  EXPECT_EQ(warned->policy.at("spec").at("failurePolicy"), "Ignore");

  EXPECT_FALSE(DesiredValidatingAdmissionPolicy(MakePolicy("w", R"({"admission":"Deny"})"), {},
                                                At("2026-01-01T00:00:00Z")));
}

TEST(DesiredValidatingAdmissionPolicyTest, ExpiredExemptionsAreLeftOutAndTheNextExpiryRegenerates) {
  const policy::Policy p =
      MakePolicy("p", R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
               "exemptions":[
                 {"namespaces":["old-*"],"reason":"gone","expires":"2026-01-01T00:00:00Z"},
                 {"namespaces":["soon-*"],"reason":"soon","expires":"2026-03-01T00:00:00Z"},
                 {"namespaces":["later-*"],"reason":"later","expires":"2026-06-01T00:00:00Z"}]})");
  auto got = DesiredValidatingAdmissionPolicy(p, {}, At("2026-02-01T00:00:00Z"));
  ASSERT_TRUE(got);
  const std::string text = got->policy.dump();
  EXPECT_EQ(text.find("old-"), std::string::npos);
  EXPECT_NE(text.find("soon-"), std::string::npos);
  EXPECT_NE(text.find("later-"), std::string::npos);
  // The engine still applies an exemption at `expires`: one second after it, CEL must not.
  ASSERT_TRUE(got->regenerate_at);
  EXPECT_EQ(*got->regenerate_at, At("2026-03-01T00:00:01Z"));
  // At `expires` itself it still applies.
  auto at_expiry = DesiredValidatingAdmissionPolicy(p, {}, At("2026-03-01T00:00:00Z"));
  EXPECT_NE(at_expiry->policy.dump().find("soon-"), std::string::npos);
}

TEST(AdmissionStatusTest, SaysWhereEachRuleRuns) {
  EXPECT_TRUE(AdmissionStatus(MakePolicy("p", "{}")).is_null());
  const json webhook = AdmissionStatus(MakePolicy("p", R"({"admission":"Warn"})"));
  EXPECT_EQ(webhook.at("mode"), "Webhook");
  EXPECT_EQ(RulesIn(webhook, "Webhook").size(), EnabledByDefault());
  EXPECT_FALSE(webhook.contains("validatingAdmissionPolicy"));

  const json vap = AdmissionStatus(MakePolicy("p", kVapDeny));
  EXPECT_EQ(vap.at("mode"), "ValidatingAdmissionPolicy");
  EXPECT_EQ(vap.at("validatingAdmissionPolicy"), "csp-p");
  EXPECT_EQ(RulesIn(vap, "ValidatingAdmissionPolicy").size(), EnabledByDefault());
  EXPECT_EQ(vap.at("webhookJudgesWhole").size(), 1u);
}

TEST(DesiredWebhookConfigurationTest, DeferredWebhooksCarryTheVapsMatchConditions) {
  const std::vector<policy::Policy> policies = {
      MakePolicy("whole", R"({"admission":"Deny","match":{"kinds":["Pod"]}})"),
      MakePolicy("vap", kVapDeny)};
  const json vwc =
      DesiredWebhookConfiguration(policies, {.url = "https://127.0.0.1:9443/validate"}, "Q0E=");
  ASSERT_EQ(vwc.at("webhooks").size(), 2u);
  const json& whole = vwc["webhooks"][0];
  const json& deferred = vwc["webhooks"][1];
  EXPECT_EQ(whole.at("name"), kDenyWebhookName);
  EXPECT_EQ(whole.at("clientConfig").at("url"), "https://127.0.0.1:9443/validate");
  EXPECT_FALSE(whole.contains("matchConditions"));
  EXPECT_EQ(deferred.at("name"), kDeferredDenyWebhookName);
  EXPECT_EQ(deferred.at("clientConfig").at("url"), "https://127.0.0.1:9443/validate-deferred");
  EXPECT_EQ(deferred.at("matchConditions").at(0).at("expression"),
            "(" + PlanAdmission(policies[1]).deferred + ")");

  // Nothing the VAP cannot judge: no deferred webhook at all.
  const std::vector<policy::Policy> exact = {
      MakePolicy("vap", R"({"admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
                 "controls":{"seccomp":{"enabled":false},"appArmor":{"enabled":false}}})")};
  EXPECT_TRUE(DesiredWebhookConfiguration(exact, {}, "Q0E=").at("webhooks").empty());
}

}  // namespace
}  // namespace csp::controllers
