// The chart's monitoring objects as the tests see them: `helm template` of charts/csp-operator
// parsed into objects, and the PromQL queries of its PrometheusRule and Grafana dashboard.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "promql_selectors.h"

namespace csp::monitoring {

// $CSP_HELM, else bin/helm of the newest folder of ~/.cache/csp-operator/test-tools
// (hack/build-test-tools.sh); nullopt when neither exists.
std::optional<std::filesystem::path> HelmBinary();

// --set values turning on the ServiceMonitors, the PrometheusRule and the dashboard ConfigMap.
std::vector<std::string> MonitoringEnabled();

struct RenderedChart {
  std::vector<nlohmann::json> objects = {};
  std::string error = {};  // helm's failure or a document that did not parse
};
// `helm template csp-operator <repo>/charts/csp-operator -n csp-system --set <each of sets>`.
RenderedChart RenderChart(const std::filesystem::path& helm, const std::filesystem::path& repo,
                          const std::vector<std::string>& sets);

// Objects of `kind` (and `name`, when given).
std::vector<nlohmann::json> ObjectsOf(const std::vector<nlohmann::json>& objects,
                                      const std::string& kind, const std::string& name = "");

struct NamedQuery {
  std::string where = {};  // "alert CspOperatorDown", "dashboard panel \"Leader\" (A)"
  std::string expr = {};
  bool grafana_variable = false;  // label_values(...), not PromQL
};
// The expr of every rule of every PrometheusRule.
std::vector<NamedQuery> AlertQueries(const std::vector<nlohmann::json>& objects);
// Every target's expr (rows' nested panels included) and every query variable's query.
std::vector<NamedQuery> DashboardQueries(const nlohmann::json& dashboard);

QueryNames NamesOf(const NamedQuery& query);

}  // namespace csp::monitoring
