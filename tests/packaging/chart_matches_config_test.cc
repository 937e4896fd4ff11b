// The chart with its default values (release namespace csp-system) and config/default build the
// same installation: the same kinds and names, the same RBAC (rules compared as data: order of
// rules and of their lists does not matter), the same bindings, and the same workload, Service
// and PodDisruptionBudget specs (containers: image, command, args, ports, probes, resources,
// security context, mounts). Differences by design: the chart leaves the Namespace to
// `helm install --create-namespace` and creates a default policy; labels differ (Helm's own).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "packaging_tools.h"

namespace csp::packaging {
namespace {

using nlohmann::json;

std::map<std::string, json> ByKey(const std::vector<json>& objects,
                                  const std::set<std::string>& skip_kinds) {
  std::map<std::string, json> by_key;
  for (const json& object : objects) {
    if (skip_kinds.contains(object.value("kind", ""))) continue;
    EXPECT_TRUE(by_key.emplace(ObjectKey(object), object).second) << ObjectKey(object) << " twice";
  }
  return by_key;
}

// A rule with its lists sorted, and the rules sorted: order carries no meaning in RBAC.
json NormalizedRules(const json& role) {
  std::vector<json> rules;
  for (json rule : role.value("rules", json::array())) {
    for (auto& [key, value] : rule.items()) {
      if (value.is_array()) std::sort(value.begin(), value.end());
    }
    rules.push_back(rule);
  }
  std::sort(rules.begin(), rules.end());
  return rules;
}

class ChartMatchesConfigTest : public PackagingTest {
 protected:
  void SetUp() override {
    PackagingTest::SetUp();
    if (IsSkipped()) return;
    chart_ = ByKey(RenderChart({"--include-crds"}), {"ContainerSecurityPolicy"});
    config_ = ByKey(Kustomize(RepoRoot() / "config/default"), {"Namespace"});
    ASSERT_FALSE(chart_.empty());
    ASSERT_FALSE(config_.empty());
  }

  // The keys of both of `kinds`.
  std::set<std::string> KeysOf(const std::map<std::string, json>& objects,
                               const std::set<std::string>& kinds) {
    std::set<std::string> keys;
    for (const auto& [key, object] : objects) {
      if (kinds.contains(object.value("kind", ""))) keys.insert(key);
    }
    return keys;
  }

  std::map<std::string, json> chart_;
  std::map<std::string, json> config_;
};

TEST_F(ChartMatchesConfigTest, SameKindsAndNames) {
  std::set<std::string> chart_keys;
  std::set<std::string> config_keys;
  for (const auto& [key, object] : chart_) chart_keys.insert(key);
  for (const auto& [key, object] : config_) config_keys.insert(key);
  EXPECT_EQ(chart_keys, config_keys);
}

TEST_F(ChartMatchesConfigTest, SameRbacRules) {
  const std::set<std::string> roles = KeysOf(config_, {"ClusterRole", "Role"});
  EXPECT_EQ(KeysOf(chart_, {"ClusterRole", "Role"}), roles);
  EXPECT_GE(roles.size(), 5u) << "operator, leader election, keys, credentials, agent";
  for (const std::string& key : roles) {
    if (!chart_.contains(key)) continue;
    EXPECT_EQ(NormalizedRules(chart_[key]), NormalizedRules(config_[key])) << key;
  }
}

TEST_F(ChartMatchesConfigTest, SameBindings) {
  const std::set<std::string> bindings = KeysOf(config_, {"ClusterRoleBinding", "RoleBinding"});
  EXPECT_EQ(KeysOf(chart_, {"ClusterRoleBinding", "RoleBinding"}), bindings);
  for (const std::string& key : bindings) {
    if (!chart_.contains(key)) continue;
    EXPECT_EQ(chart_[key]["roleRef"], config_[key]["roleRef"]) << key;
    EXPECT_EQ(chart_[key]["subjects"], config_[key]["subjects"]) << key;
  }
}

TEST_F(ChartMatchesConfigTest, SameWorkloadsServicesAndCrds) {
  const std::set<std::string> kinds = {"Deployment", "DaemonSet", "Service", "PodDisruptionBudget",
                                       "CustomResourceDefinition"};
  const std::set<std::string> keys = KeysOf(config_, kinds);
  EXPECT_EQ(KeysOf(chart_, kinds), keys);
  for (const std::string& key : keys) {
    if (!chart_.contains(key)) continue;
    const json& chart_spec = chart_[key]["spec"];
    const json& config_spec = config_[key]["spec"];
    EXPECT_EQ(chart_spec, config_spec) << key << " differs; chart vs config:\n"
                                       << json::diff(config_spec, chart_spec).dump(2);
  }
}

}  // namespace
}  // namespace csp::packaging
