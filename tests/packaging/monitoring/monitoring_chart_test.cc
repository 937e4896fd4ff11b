// The chart's monitoring objects without a cluster: `helm template` with them turned on renders
// the ServiceMonitors, the agent's metrics Service, the PrometheusRule and the dashboard
// ConfigMap (and with default values none of them); they point at ports that exist; every alert
// is documented; every query selects the job whose metrics it reads. Whether the metrics exist
// is tests/e2e/metrics_catalog_test.cc's question. Skipped without helm (hack/build-test-tools.sh).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chart_queries.h"
#include "subprocess.h"
#include "temp_dir.h"

namespace csp::monitoring {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::ReadText;

const fs::path kRepo = CSP_SOURCE_DIR;
constexpr char kOperatorJob[] = "csp-operator-metrics";
constexpr char kAgentJob[] = "csp-agent-metrics";

std::string Label(const json& object, const std::string& key) {
  const json labels = object.value("/metadata/labels"_json_pointer, json::object());
  return labels.value(key, "");
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

class MonitoringChartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    helm_ = HelmBinary();
    if (!helm_) GTEST_SKIP() << "no helm: run hack/build-test-tools.sh or set CSP_HELM";
  }

  std::vector<json> Render(std::vector<std::string> sets) {
    RenderedChart chart = RenderChart(*helm_, kRepo, sets);
    EXPECT_EQ(chart.error, "");
    return chart.objects;
  }
  std::vector<json> RenderEnabled() { return Render(MonitoringEnabled()); }

  std::optional<fs::path> helm_;
};

TEST_F(MonitoringChartTest, DefaultValuesRenderNoMonitoringObject) {
  const std::vector<json> objects = Render({});
  ASSERT_FALSE(objects.empty());
  EXPECT_TRUE(ObjectsOf(objects, "ServiceMonitor").empty());
  EXPECT_TRUE(ObjectsOf(objects, "PrometheusRule").empty());
  EXPECT_TRUE(ObjectsOf(objects, "ConfigMap", "csp-operator-dashboard").empty());
  EXPECT_TRUE(ObjectsOf(objects, "Service", "csp-agent-metrics").empty());
}

TEST_F(MonitoringChartTest, EnabledRendersEachObjectWithItsLabels) {
  std::vector<std::string> sets = MonitoringEnabled();
  sets.insert(sets.end(), {"monitoring.serviceMonitor.labels.release=kps",
                           "monitoring.serviceMonitor.interval=15s",
                           "monitoring.prometheusRule.labels.role=alert-rules",
                           "monitoring.dashboard.labels.grafana_folder=security"});
  const std::vector<json> objects = Render(sets);

  const std::vector<json> monitors = ObjectsOf(objects, "ServiceMonitor");
  ASSERT_EQ(monitors.size(), 2u);
  for (const json& monitor : monitors) {
    EXPECT_EQ(monitor.value("apiVersion", ""), "monitoring.coreos.com/v1");
    EXPECT_EQ(Label(monitor, "release"), "kps") << monitor.dump();
    EXPECT_EQ(monitor.value("/spec/endpoints/0/interval"_json_pointer, ""), "15s");
  }
  const std::vector<json> rules = ObjectsOf(objects, "PrometheusRule");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].value("apiVersion", ""), "monitoring.coreos.com/v1");
  EXPECT_EQ(Label(rules[0], "role"), "alert-rules");

  const std::vector<json> dashboards = ObjectsOf(objects, "ConfigMap", "csp-operator-dashboard");
  ASSERT_EQ(dashboards.size(), 1u);
  EXPECT_EQ(Label(dashboards[0], "grafana_dashboard"), "1");
  EXPECT_EQ(Label(dashboards[0], "grafana_folder"), "security");
  const std::string text = dashboards[0].value("/data/csp-operator.json"_json_pointer, "");
  const json dashboard = json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(dashboard.is_discarded()) << text;
  EXPECT_EQ(dashboard,
            json::parse(ReadText(kRepo / "charts/csp-operator/dashboards/csp-operator.json")));
  EXPECT_FALSE(DashboardQueries(dashboard).empty());
}

TEST_F(MonitoringChartTest, LintsStrictWithMonitoringOn) {
  std::vector<std::string> argv = {helm_->string(), "lint", "--strict",
                                   (kRepo / "charts/csp-operator").string()};
  for (const std::string& set : MonitoringEnabled()) argv.insert(argv.end(), {"--set", set});
  const test::CommandResult r = test::Run(argv, "", 120);
  EXPECT_EQ(r.exit_code, 0) << r;
}

// Each ServiceMonitor's endpoint port is a named port of one Service its selector matches, and
// that Service's name is the job the alerts and the dashboard select (the Prometheus Operator
// names the job after the Service: a renamed Service silences every alert). The agent's Service,
// when the chart also renders the agent DaemonSet, selects its Pods and targets a port its
// container declares.
TEST_F(MonitoringChartTest, ServiceMonitorsReachANamedServicePort) {
  const std::vector<json> objects = RenderEnabled();
  const std::vector<json> services = ObjectsOf(objects, "Service");
  for (const json& monitor : ObjectsOf(objects, "ServiceMonitor")) {
    const json selector = monitor.value("/spec/selector/matchLabels"_json_pointer, json::object());
    const std::string port = monitor.value("/spec/endpoints/0/port"_json_pointer, "");
    std::vector<std::string> matches;
    for (const json& service : services) {
      bool selected = true;
      for (const auto& [key, value] : selector.items()) {
        selected = selected && Label(service, key) == value.get<std::string>();
      }
      if (!selected) continue;
      for (const json& p : service.value("/spec/ports"_json_pointer, json::array())) {
        if (p.value("name", "") == port) {
          matches.push_back(service.value("/metadata/name"_json_pointer, ""));
        }
      }
    }
    const bool agent = monitor.value("/metadata/name"_json_pointer, "") == "csp-agent";
    EXPECT_EQ(matches, std::vector<std::string>{agent ? kAgentJob : kOperatorJob})
        << monitor.dump() << ": the Services it scrapes on port " << port;
  }

  const std::vector<json> agent_services = ObjectsOf(objects, "Service", kAgentJob);
  ASSERT_EQ(agent_services.size(), 1u);
  const json& service = agent_services[0];
  for (const json& daemonset : ObjectsOf(objects, "DaemonSet")) {
    const json pod_labels =
        daemonset.value("/spec/template/metadata/labels"_json_pointer, json::object());
    if (pod_labels.value("app.kubernetes.io/name", "") != "csp-agent") continue;
    for (const auto& [key, value] : service.at("/spec/selector"_json_pointer).items()) {
      EXPECT_EQ(pod_labels.value(key, ""), value) << "agent pods lack the Service's selector";
    }
    const json target = service.at("/spec/ports/0/targetPort"_json_pointer);
    bool declared = false;
    for (const json& c : daemonset.value("/spec/template/spec/containers"_json_pointer, json())) {
      for (const json& p : c.value("ports", json::array())) {
        declared =
            declared || p.value("containerPort", 0) == target || p.value("name", "") == target;
      }
    }
    EXPECT_TRUE(declared) << "the agent container declares no port " << target;
  }
}

TEST_F(MonitoringChartTest, EveryAlertIsDescribedAndHasARunbook) {
  const std::vector<json> rules = ObjectsOf(RenderEnabled(), "PrometheusRule");
  ASSERT_EQ(rules.size(), 1u);
  const std::string runbook = ReadText(kRepo / "docs/monitoring.md");
  std::set<std::string> alerts;
  for (const json& group : rules[0].value("/spec/groups"_json_pointer, json::array())) {
    for (const json& rule : group.value("rules", json::array())) {
      const std::string alert = rule.value("alert", "");
      alerts.insert(alert);
      for (const char* annotation : {"summary", "description", "runbook"}) {
        EXPECT_NE(rule.value("/annotations"_json_pointer / annotation, ""), "")
            << alert << " lacks " << annotation;
      }
      EXPECT_NE(rule.value("/labels/severity"_json_pointer, ""), "") << alert;
      EXPECT_NE(runbook.find("### " + alert + "\n"), std::string::npos)
          << "docs/monitoring.md has no runbook section ### " << alert;
    }
  }
  const std::set<std::string> wanted = {"CspOperatorDown", "CspOperatorNoLeader",
                                        "CspReconcileErrorsRising", "CspFailingWorkloadsRising",
                                        "CspAgentMissingOnNodes"};
  for (const std::string& alert : wanted) EXPECT_EQ(alerts.count(alert), 1u) << alert;
}

// A query without its job would mix in any other exporter's series of the same name
// (process_*, up) or another release's.
TEST_F(MonitoringChartTest, EverySelectorNamesTheJobOfItsMetric) {
  const std::vector<json> objects = RenderEnabled();
  std::vector<NamedQuery> queries = AlertQueries(objects);
  const json dashboard =
      json::parse(ReadText(kRepo / "charts/csp-operator/dashboards/csp-operator.json"));
  for (NamedQuery& q : DashboardQueries(dashboard)) queries.push_back(std::move(q));
  ASSERT_GT(queries.size(), 5u);
  for (const NamedQuery& query : queries) {
    const QueryNames names = NamesOf(query);
    EXPECT_FALSE(names.selectors.empty()) << query.where << ": " << query.expr;
    if (query.grafana_variable) continue;
    for (const Selector& s : names.selectors) {
      const bool agent = StartsWith(s.metric, "csp_agent_") || StartsWith(s.metric, "process_");
      std::string job;
      for (const LabelMatcher& m : s.matchers) {
        if (m.label == "job" && m.op == "=") job = m.value;
      }
      EXPECT_EQ(job, agent ? kAgentJob : kOperatorJob) << query.where << ": " << s.metric;
    }
  }
}

// Grafana places panels by gridPos (24 columns): overlapping ones are drawn over each other, and
// two panels with one id confuse its links and edits.
TEST(DashboardTest, PanelsHaveUniqueIdsAndDoNotOverlap) {
  const json dashboard =
      json::parse(ReadText(kRepo / "charts/csp-operator/dashboards/csp-operator.json"));
  struct Box {
    std::string title;
    int x, y, w, h;
  };
  std::vector<Box> boxes;
  std::set<int> ids;
  for (const json& panel : dashboard.at("panels")) {
    const std::string title = panel.value("title", "");
    EXPECT_TRUE(ids.insert(panel.value("id", 0)).second) << title << ": id used twice";
    const json& at = panel.at("gridPos");
    boxes.push_back({title, at.at("x"), at.at("y"), at.at("w"), at.at("h")});
    EXPECT_LE(boxes.back().x + boxes.back().w, 24) << title;
  }
  for (size_t i = 0; i < boxes.size(); ++i) {
    for (size_t j = i + 1; j < boxes.size(); ++j) {
      const Box& a = boxes[i];
      const Box& b = boxes[j];
      const bool apart =
          a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      EXPECT_TRUE(apart) << a.title << " overlaps " << b.title;
    }
  }
}

}  // namespace
}  // namespace csp::monitoring
