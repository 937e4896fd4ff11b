// Every metric, label and label value that the chart's alerts (PrometheusRule, rendered by
// `helm template`) and its Grafana dashboard read is served by a live csp-operator's and
// csp-agent's /metrics (docs/monitoring.md). A renamed metric or label fails here, naming the
// alert or panel that would go blank. And the API server, given the Prometheus Operator's CRDs,
// accepts every rendered monitoring object. Skipped without helm (hack/build-test-tools.sh).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent_harness.h"
#include "chart_queries.h"
#include "e2e_env.h"
#include "metric_catalog.h"
#include "operator_harness.h"

namespace csp::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using monitoring::MetricCatalog;
using monitoring::NamedQuery;
using nlohmann::json;

class MetricsCatalogTest : public WebhookOperatorTest {
 protected:
  void TearDown() override {
    if (agent_) {
      if (HasFailure()) std::cerr << "--- agent log:\n" << agent_->Log();
      agent_->Stop();
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
    WebhookOperatorTest::TearDown();
  }

  // One agent, for the first kwok node, until it is ready.
  void StartAgent() {
    const std::string kubeconfig = (fs::path(BuildDir()) / "e2e-metrics-agent.kubeconfig").string();
    ASSERT_TRUE(WriteAgentKubeconfig(kubeconfig));
    char pattern[] = "/tmp/csp-e2e-metrics-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    agent_ = std::make_unique<Agent>(NodeName(0), dir_ / NodeName(0), kubeconfig, "text");
    ASSERT_TRUE(agent_->Start());
    ASSERT_TRUE(Eventually([&] { return agent_->Ready(); }, 60s)) << agent_->Log();
  }

  fs::path dir_;
  std::unique_ptr<Agent> agent_;
};

TEST_F(MetricsCatalogTest, EveryMetricOfTheAlertsAndTheDashboardIsServed) {
  const std::optional<fs::path> helm = monitoring::HelmBinary();
  if (!helm) GTEST_SKIP() << "no helm: run hack/build-test-tools.sh or set CSP_HELM";
  const monitoring::RenderedChart chart =
      monitoring::RenderChart(*helm, RepoRoot(), monitoring::MonitoringEnabled());
  ASSERT_EQ(chart.error, "");
  std::vector<NamedQuery> queries = monitoring::AlertQueries(chart.objects);
  ASSERT_GE(queries.size(), 5u);
  const std::vector<json> configmaps =
      monitoring::ObjectsOf(chart.objects, "ConfigMap", "csp-operator-dashboard");
  ASSERT_EQ(configmaps.size(), 1u);
  const json dashboard =
      json::parse(configmaps[0].value("/data/csp-operator.json"_json_pointer, "{}"));
  for (NamedQuery& q : monitoring::DashboardQueries(dashboard)) queries.push_back(std::move(q));

  // An operator serving the webhook (its admission metrics), with a policy that a privileged
  // Deployment fails: the per-policy and per-rule series exist only once there is a result.
  OperatorProcess* op = StartWithWebhook();
  ASSERT_NE(op, nullptr);
  const std::string policy = CreatePolicy("metrics", PrivilegedOnlyPolicySpec(ns(), "Audit"));
  WaitPolicyReconciled(policy);
  Create(DeploymentObject("privileged", 1, PodSpec(/*privileged=*/true)));
  ASSERT_TRUE(Eventually(
      [&] {
        return SumMetric(op->Metrics(), "csp_workload_results",
                         {{"policy", policy}, {"rule", kPrivilegedRule}, {"result", "fail"}}) > 0;
      },
      60s))
      << "no failing result on /metrics";
  ASSERT_NO_FATAL_FAILURE(StartAgent());

  MetricCatalog catalog;
  for (const MetricSample& s : op->Metrics()) catalog.Add(s.name, s.labels);
  for (const MetricSample& s : ParseMetrics(agent_->Metrics())) catalog.Add(s.name, s.labels);
  ASSERT_TRUE(catalog.Has("csp_leader"));
  ASSERT_TRUE(catalog.Has("csp_agent_ready"));

  std::string missing;
  for (const NamedQuery& query : queries) {
    for (const std::string& line : catalog.Missing(query.where, monitoring::NamesOf(query))) {
      missing += "  " + line + "\n";
    }
  }
  EXPECT_EQ(missing, "") << "read by the chart's alerts or dashboard, but not served:\n" << missing;
}

// The rendered monitoring objects pass the API server's validation: the Prometheus Operator's
// CRDs (tests/packaging/monitoring/testdata) for the ServiceMonitors and the PrometheusRule,
// the built-in schemas for the Service and the ConfigMap; unknown fields are errors. Dry run:
// nothing is stored.
class MonitoringObjectsTest : public E2ETest {
 protected:
  void TearDown() override {
    Kubectl({"delete", "-f", CrdFolder(), "--ignore-not-found", "--wait=false"});
    E2ETest::TearDown();
  }
  static std::string CrdFolder() { return RepoRoot() + "/tests/packaging/monitoring/testdata/"; }
};

TEST_F(MonitoringObjectsTest, TheApiServerAcceptsEveryMonitoringObject) {
  const std::optional<fs::path> helm = monitoring::HelmBinary();
  if (!helm) GTEST_SKIP() << "no helm: run hack/build-test-tools.sh or set CSP_HELM";
  CommandResult crds = Kubectl({"apply", "--server-side", "-f", CrdFolder()});
  ASSERT_EQ(crds.exit_code, 0) << crds;
  ASSERT_TRUE(WaitCrdsEstablished(
      {"servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"}));

  const monitoring::RenderedChart chart =
      monitoring::RenderChart(*helm, RepoRoot(), monitoring::MonitoringEnabled());
  ASSERT_EQ(chart.error, "");
  std::vector<json> objects = monitoring::ObjectsOf(chart.objects, "ServiceMonitor");
  for (const char* kind : {"PrometheusRule", "ConfigMap", "Service"}) {
    for (json& object : monitoring::ObjectsOf(chart.objects, kind)) {
      objects.push_back(std::move(object));
    }
  }
  ASSERT_GE(objects.size(), 5u);
  for (json& object : objects) {
    object["metadata"]["namespace"] = ns();
    // The discovery cache may not know the new kinds for a moment after Established.
    CommandResult r;
    EXPECT_TRUE(Eventually(
        [&] {
          r = Kubectl({"create", "--dry-run=server", "--validate=strict", "-f", "-"},
                      object.dump());
          return r.exit_code == 0;
        },
        30s))
        << object.value("kind", "") << "/" << object.value("/metadata/name"_json_pointer, "")
        << ": " << r;
  }
}

}  // namespace
}  // namespace csp::e2e
