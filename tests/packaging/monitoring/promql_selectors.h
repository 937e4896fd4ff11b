// The metric names and label names a PromQL expression reads: enough of PromQL's lexical
// structure to tell a metric selector from a function, keyword, label list, string, number or
// duration. Not a validator: text that is not PromQL gives whatever names it holds.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace csp::monitoring {

struct LabelMatcher {
  std::string label = {};
  std::string op = {};     // =, !=, =~ or !~
  std::string value = {};  // unquoted (escapes kept as written)
};

struct Selector {
  std::string metric = {};  // empty for a bare {...} selector
  std::vector<LabelMatcher> matchers = {};
};

struct QueryNames {
  std::vector<Selector> selectors = {};
  // Labels of by (...), without (...), on (...), ignoring (...), group_left (...) and
  // group_right (...): they belong to no one selector.
  std::set<std::string> grouping_labels = {};
};

QueryNames ExtractNames(std::string_view promql);

// A Grafana variable query `label_values(<selector>, <label>)` (or `label_values(<label>)`): its
// selector and label; anything else is read as PromQL (query_result(...) and friends).
QueryNames ExtractGrafanaVariableNames(std::string_view query);

}  // namespace csp::monitoring
