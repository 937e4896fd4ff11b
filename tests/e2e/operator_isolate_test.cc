// Action Isolate against the real control plane (docs/remediation.md "Isolate"): a violating
// Deployment keeps running while a deny-all NetworkPolicy owned by the operator selects its
// pods by the Deployment's own selector; fixing it removes the NetworkPolicy. An Event each way.
#include <string>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kReconcile = 60s;
const std::string kNetworkPolicies = "networkpolicies.networking.k8s.io";
const std::string kIsolation = "csp-isolate-deployment-web";

class OperatorIsolateTest : public OperatorTest {};

TEST_F(OperatorIsolateTest, NetworkPolicyAppearsWithTheSelectorAndGoesOnTheFix) {
  StartOperator();
  ASSERT_FALSE(HasFailure());
  const std::string policy = CreatePolicy("isolate", PrivilegedOnlyPolicySpec(ns(), "Isolate"));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());
  Create(DeploymentObject("web", 2, PodSpec(/*privileged=*/true)));
  ASSERT_FALSE(HasFailure());

  json np;
  ASSERT_TRUE(Eventually(
      [&] {
        np = TryGet(kNetworkPolicies, ns(), kIsolation).value_or(json());
        return !np.is_null();
      },
      kReconcile));
  EXPECT_EQ(np["spec"]["podSelector"], (json{{"matchLabels", {{"app", "web"}}}})) << np.dump(2);
  EXPECT_EQ(np["spec"]["policyTypes"], (json{"Ingress", "Egress"})) << np.dump(2);
  EXPECT_FALSE(np["spec"].contains("ingress")) << np.dump(2);
  EXPECT_FALSE(np["spec"].contains("egress")) << np.dump(2);
  EXPECT_EQ(LabelOf(np, "app.kubernetes.io/managed-by"), "csp-operator");
  const json owner = np["metadata"].value("ownerReferences", json::array()).at(0);
  EXPECT_EQ(owner.value("kind", ""), "Deployment");
  EXPECT_EQ(owner.value("name", ""), "web");
  EXPECT_TRUE(
      Eventually([&] { return OperatorEvents(ns(), "Deployment", "web").count("Isolated") != 0; },
                 kReconcile));
  auto web = TryGet("deployments.apps", ns(), "web");
  ASSERT_TRUE(web.has_value());
  EXPECT_EQ((*web)["spec"]["replicas"], 2) << "it keeps running";
  EXPECT_EQ(LabelOf(*web, kCompliantLabel), "false");

  Patch("deployments.apps", "web",
        json::array({{{"op", "replace"},
                      {"path", "/spec/template/spec/containers/0/securityContext/privileged"},
                      {"value", false}}}),
        "json");
  EXPECT_TRUE(Eventually([&] { return !TryGet(kNetworkPolicies, ns(), kIsolation); }, kReconcile));
  EXPECT_TRUE(
      Eventually([&] { return OperatorEvents(ns(), "Deployment", "web").count("Released") != 0; },
                 kReconcile));
  EXPECT_TRUE(WaitObject(
      "deployments.apps", "web", "labeled compliant, no isolation record",
      [](const json& o) {
        return LabelOf(o, kCompliantLabel) == "true" &&
               !HasAnnotation(o, std::string(names::kIsolatedAnnotation));
      },
      kReconcile));
}

}  // namespace
}  // namespace csp::e2e
