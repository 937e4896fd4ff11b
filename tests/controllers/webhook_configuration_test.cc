#include "csp/controllers/webhook_configuration.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::controllers {
namespace {

using test::json;
using test::MakePolicy;

WebhookSettings Settings() {
  return {.configuration_name = "csp-operator",
          .service_namespace = "csp-system",
          .service_name = "csp-operator-webhook",
          .exclude_namespaces = {"kube-system", "csp-system", "kube-system"}};
}

std::vector<policy::Policy> Policies(std::initializer_list<std::pair<const char*, const char*>> p) {
  std::vector<policy::Policy> out;
  for (const auto& [name, spec] : p) out.push_back(MakePolicy(name, spec));
  return out;
}

std::vector<std::string> Resources(const json& webhook) {
  std::vector<std::string> out;
  for (const json& rule : webhook.at("rules")) {
    for (const json& r : rule.at("resources")) {
      out.push_back(rule.at("apiGroups").at(0).get<std::string>() + "/" + r.get<std::string>());
    }
  }
  return out;
}

TEST(AdmissionKindsTest, KindsWithWhatTheirControllersCreate) {
  struct Case {
    const char* spec;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {R"({"admission":"Deny"})",
       {"CronJob", "DaemonSet", "Deployment", "Job", "Pod", "PodTemplate", "ReplicaSet",
        "ReplicationController", "StatefulSet"}},
      {R"({"admission":"Deny","match":{"kinds":["Deployment"]}})",
       {"Deployment", "Pod", "ReplicaSet"}},
      {R"({"admission":"Deny","match":{"kinds":["CronJob"]}})", {"CronJob", "Job", "Pod"}},
      {R"({"admission":"Deny","match":{"kinds":["PodTemplate"]}})", {"PodTemplate"}},
      {R"({"admission":"Warn","match":{"kinds":["Pod"]}})", {}},
      {R"({"match":{"kinds":["Pod"]}})", {}},
  };
  for (const Case& c : cases) {
    const auto policies = Policies({{"p", c.spec}});
    EXPECT_EQ(AdmissionKinds(policies, policy::Admission::kDeny), c.want) << c.spec;
  }
}

TEST(WebhookConfigurationTest, NoAdmissionPolicyMeansNoWebhooks) {
  const auto policies = Policies({{"audit", R"({"action":"ScaleDown"})"}});
  const json vwc = DesiredWebhookConfiguration(policies, Settings(), "Q0E=");
  EXPECT_EQ(vwc.at("kind"), "ValidatingWebhookConfiguration");
  EXPECT_EQ(vwc.at("metadata").at("name"), "csp-operator");
  EXPECT_EQ(vwc.at("webhooks"), json::array());
}

TEST(WebhookConfigurationTest, DenyWebhookCoversTheDenyKindsWithTheService) {
  const auto policies =
      Policies({{"prod", R"({"admission":"Deny","match":{"kinds":["Deployment","CronJob"]}})"}});
  const json vwc = DesiredWebhookConfiguration(policies, Settings(), "Q0E=");
  ASSERT_EQ(vwc.at("webhooks").size(), 1u);
  const json& w = vwc.at("webhooks").at(0);
  EXPECT_EQ(w.at("name"), kDenyWebhookName);
  EXPECT_EQ(w.at("failurePolicy"), "Fail");
  EXPECT_EQ(w.at("sideEffects"), "None");
  EXPECT_EQ(w.at("timeoutSeconds"), 5);
  EXPECT_EQ(w.at("admissionReviewVersions"), json::array({"v1"}));
  EXPECT_EQ(w.at("clientConfig"),
            json::parse(R"({"caBundle":"Q0E=","service":{"name":"csp-operator-webhook",
              "namespace":"csp-system","path":"/validate","port":443}})"));
  EXPECT_EQ(Resources(w),
            (std::vector<std::string>{"/pods", "/pods/ephemeralcontainers", "apps/deployments",
                                      "apps/replicasets", "batch/jobs", "batch/cronjobs"}));
  for (const json& rule : w.at("rules")) {
    EXPECT_EQ(rule.at("operations"), json::array({"CREATE", "UPDATE"}));
  }
  EXPECT_EQ(w.at("namespaceSelector"), json::parse(R"({"matchExpressions":[{
      "key":"kubernetes.io/metadata.name","operator":"NotIn",
      "values":["csp-system","kube-system"]}]})"));
}

TEST(WebhookConfigurationTest, WarnWebhookTakesOnlyKindsNoDenyPolicyCovers) {
  const auto policies =
      Policies({{"a", R"({"admission":"Deny","match":{"kinds":["Pod"]}})"},
                {"b", R"({"admission":"Warn","match":{"kinds":["Pod","StatefulSet"]}})"}});
  WebhookSettings settings = Settings();
  settings.url = "https://127.0.0.1:9443/validate";
  settings.failure_policy = "Ignore";
  settings.timeout_seconds = 3;
  const json vwc = DesiredWebhookConfiguration(policies, settings, "");
  ASSERT_EQ(vwc.at("webhooks").size(), 2u);
  const json& deny = vwc.at("webhooks").at(0);
  const json& warn = vwc.at("webhooks").at(1);
  EXPECT_EQ(deny.at("failurePolicy"), "Ignore");
  EXPECT_EQ(deny.at("timeoutSeconds"), 3);
  EXPECT_EQ(Resources(deny), (std::vector<std::string>{"/pods", "/pods/ephemeralcontainers"}));
  EXPECT_EQ(warn.at("name"), kWarnWebhookName);
  EXPECT_EQ(warn.at("failurePolicy"), "Ignore");
  EXPECT_EQ(Resources(warn), (std::vector<std::string>{"apps/statefulsets"}));
  EXPECT_EQ(warn.at("clientConfig"), json::parse(R"({"url":"https://127.0.0.1:9443/validate"})"));
}

}  // namespace
}  // namespace csp::controllers
