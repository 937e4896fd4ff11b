// What a live /metrics offers (names, label names, label values), and the check that a query's
// selectors and grouping labels ask only for what is there.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "promql_selectors.h"

namespace csp::monitoring {

// Labels Prometheus adds to every series of a target (the ServiceMonitors' job, namespace, pod,
// ...; `node` by the agent ServiceMonitor's relabeling), never in the scraped text.
bool IsTargetLabel(const std::string& label);
// Series Prometheus makes itself for each target (`up`), never in the scraped text.
bool IsScrapeSeries(const std::string& metric);

class MetricCatalog {
 public:
  // One sample as scraped: its name (x_bucket, x_sum and x_count for histograms) and labels.
  void Add(const std::string& name, const std::map<std::string, std::string>& labels);

  bool Has(const std::string& metric) const { return labels_.count(metric) > 0; }
  bool HasLabel(const std::string& metric, const std::string& label) const;
  bool HasLabelValue(const std::string& metric, const std::string& label,
                     const std::string& value) const;

  // Every name or label the query reads that no scraped sample has, one line each, prefixed by
  // `where` (e.g. `dashboard panel "Leader"`). Checked: each selector's metric; each matcher's
  // label on that metric, and for `=` with a literal value, that some sample has that value
  // (Grafana's $variables excepted); each grouping label on at least one of the query's
  // metrics. Target labels and `up` count as present.
  std::vector<std::string> Missing(const std::string& where, const QueryNames& query) const;

 private:
  // metric -> label -> values seen
  std::map<std::string, std::map<std::string, std::set<std::string>>> labels_;
};

}  // namespace csp::monitoring
