#include "chart_queries.h"

#include <cstdlib>

#include "csp/manifest/manifest_reader.h"
#include "subprocess.h"

namespace csp::monitoring {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<fs::path> HelmBinary() {
  if (const char* env = std::getenv("CSP_HELM"); env != nullptr && *env != '\0') {
    return fs::exists(env) ? std::optional<fs::path>(env) : std::nullopt;
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr) return std::nullopt;
  const fs::path tools = fs::path(home) / ".cache/csp-operator/test-tools";
  std::error_code ec;
  std::optional<fs::path> newest;
  fs::file_time_type newest_time;
  for (const auto& entry : fs::directory_iterator(tools, ec)) {
    const fs::path helm = entry.path() / "bin/helm";
    if (!fs::exists(helm, ec)) continue;
    const auto time = fs::last_write_time(helm, ec);
    if (!newest || time > newest_time) {
      newest = helm;
      newest_time = time;
    }
  }
  return newest;
}

std::vector<std::string> MonitoringEnabled() {
  return {"monitoring.serviceMonitor.enabled=true", "monitoring.prometheusRule.enabled=true",
          "monitoring.dashboard.enabled=true"};
}

RenderedChart RenderChart(const fs::path& helm, const fs::path& repo,
                          const std::vector<std::string>& sets) {
  std::vector<std::string> argv = {helm.string(),  "template",
                                   "csp-operator", (repo / "charts/csp-operator").string(),
                                   "-n",           "csp-system"};
  for (const std::string& set : sets) {
    argv.push_back("--set");
    argv.push_back(set);
  }
  const test::CommandResult r = test::Run(argv, "", 120);
  RenderedChart out;
  if (r.exit_code != 0) {
    out.error = "helm template failed (" + std::to_string(r.exit_code) + "): " + r.err;
    return out;
  }
  manifest::ParseManifests(
      r.out, "helm template", manifest::Limits{.threads = 1},
      [&](manifest::Document&& doc) {
        if (!doc.value.is_null()) out.objects.push_back(std::move(doc.value));
      },
      [&](manifest::ReadError&& error) { out.error += error.ToString() + "\n"; });
  return out;
}

std::vector<json> ObjectsOf(const std::vector<json>& objects, const std::string& kind,
                            const std::string& name) {
  std::vector<json> out;
  for (const json& object : objects) {
    if (object.value("kind", "") != kind) continue;
    if (!name.empty() && object.value("/metadata/name"_json_pointer, "") != name) continue;
    out.push_back(object);
  }
  return out;
}

std::vector<NamedQuery> AlertQueries(const std::vector<json>& objects) {
  std::vector<NamedQuery> out;
  for (const json& rule_object : ObjectsOf(objects, "PrometheusRule")) {
    for (const json& group : rule_object.value("/spec/groups"_json_pointer, json::array())) {
      for (const json& rule : group.value("rules", json::array())) {
        const std::string name = rule.contains("alert") ? "alert " + rule.value("alert", "")
                                                        : "record " + rule.value("record", "");
        out.push_back({.where = name, .expr = rule.value("expr", "")});
      }
    }
  }
  return out;
}

namespace {

void PanelQueries(const json& panels, std::vector<NamedQuery>& out) {
  for (const json& panel : panels) {
    const std::string title = panel.value("title", "");
    for (const json& target : panel.value("targets", json::array())) {
      out.push_back(
          {.where = "dashboard panel \"" + title + "\" (" + target.value("refId", "") + ")",
           .expr = target.value("expr", "")});
    }
    PanelQueries(panel.value("panels", json::array()), out);  // a collapsed row's panels
  }
}

}  // namespace

std::vector<NamedQuery> DashboardQueries(const json& dashboard) {
  std::vector<NamedQuery> out;
  PanelQueries(dashboard.value("panels", json::array()), out);
  for (const json& variable : dashboard.value("/templating/list"_json_pointer, json::array())) {
    if (variable.value("type", "") != "query") continue;
    const json query = variable.value("query", json());
    std::string expr = query.is_string() ? query.get<std::string>() : "";
    if (query.is_object()) expr = query.value("query", "");
    out.push_back({.where = "dashboard variable $" + variable.value("name", ""),
                   .expr = expr,
                   .grafana_variable = true});
  }
  return out;
}

QueryNames NamesOf(const NamedQuery& query) {
  return query.grafana_variable ? ExtractGrafanaVariableNames(query.expr)
                                : ExtractNames(query.expr);
}

}  // namespace csp::monitoring
