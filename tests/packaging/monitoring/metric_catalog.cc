#include "metric_catalog.h"

namespace csp::monitoring {

bool IsTargetLabel(const std::string& label) {
  for (const char* target : {"job", "namespace", "pod", "instance", "service", "endpoint",
                             "container", "node", "__name__"}) {
    if (label == target) return true;
  }
  return false;
}

bool IsScrapeSeries(const std::string& metric) { return metric == "up"; }

void MetricCatalog::Add(const std::string& name, const std::map<std::string, std::string>& labels) {
  auto& metric = labels_[name];
  for (const auto& [label, value] : labels) metric[label].insert(value);
}

bool MetricCatalog::HasLabel(const std::string& metric, const std::string& label) const {
  auto it = labels_.find(metric);
  return it != labels_.end() && it->second.count(label) > 0;
}

bool MetricCatalog::HasLabelValue(const std::string& metric, const std::string& label,
                                  const std::string& value) const {
  auto it = labels_.find(metric);
  if (it == labels_.end()) return false;
  auto values = it->second.find(label);
  return values != it->second.end() && values->second.count(value) > 0;
}

std::vector<std::string> MetricCatalog::Missing(const std::string& where,
                                                const QueryNames& query) const {
  std::vector<std::string> missing;
  std::vector<std::string> metrics;
  for (const Selector& selector : query.selectors) {
    const std::string& metric = selector.metric;
    if (metric.empty()) {
      missing.push_back(where + ": a selector without a metric name");
      continue;
    }
    if (IsScrapeSeries(metric)) continue;
    metrics.push_back(metric);
    if (!Has(metric)) {
      missing.push_back(where + ": metric " + metric + " is not in /metrics");
      continue;
    }
    for (const LabelMatcher& m : selector.matchers) {
      if (IsTargetLabel(m.label)) continue;
      if (!HasLabel(metric, m.label)) {
        missing.push_back(where + ": " + metric + " has no label " + m.label);
      } else if (m.op == "=" && !m.value.empty() && m.value.find('$') == std::string::npos &&
                 !HasLabelValue(metric, m.label, m.value)) {
        missing.push_back(where + ": " + metric + " has no sample with " + m.label + "=\"" +
                          m.value + "\"");
      }
    }
  }
  for (const std::string& label : query.grouping_labels) {
    if (IsTargetLabel(label)) continue;
    bool found = false;
    for (const std::string& metric : metrics) found = found || HasLabel(metric, label);
    if (!found) missing.push_back(where + ": no metric of the query has label " + label);
  }
  return missing;
}

}  // namespace csp::monitoring
