#include "promql_selectors.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace csp::monitoring {
namespace {

struct Case {
  std::string name;
  std::string promql;
  std::vector<std::string> want;  // "metric{label op value,...}" per selector, in order
  std::set<std::string> grouping = {};
  bool grafana_variable = false;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string Describe(const Selector& s) {
  std::string out = s.metric + "{";
  for (size_t i = 0; i < s.matchers.size(); ++i) {
    if (i > 0) out += ",";
    out += s.matchers[i].label + s.matchers[i].op + s.matchers[i].value;
  }
  return out + "}";
}

class ExtractNamesTest : public ::testing::TestWithParam<Case> {};

TEST_P(ExtractNamesTest, FindsSelectorsAndGroupingLabels) {
  const Case& c = GetParam();
  const QueryNames names =
      c.grafana_variable ? ExtractGrafanaVariableNames(c.promql) : ExtractNames(c.promql);
  std::vector<std::string> got;
  for (const Selector& s : names.selectors) got.push_back(Describe(s));
  EXPECT_EQ(got, c.want) << c.promql;
  EXPECT_EQ(names.grouping_labels, c.grouping) << c.promql;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ExtractNamesTest,
    ::testing::Values(
        Case{"BareMetric", "csp_leader", {"csp_leader{}"}},
        Case{"Matchers",
             R"(csp_reconcile_total{job="op", result!="error",rule=~"a|b", x!~'y'})",
             {"csp_reconcile_total{job=op,result!=error,rule=~a|b,x!~y}"}},
        Case{
            "FunctionsAreNotMetrics",
            "histogram_quantile(0.95, sum by (le) (rate(csp_x_bucket{a=\"1\"}[$__rate_interval])))",
            {"csp_x_bucket{a=1}"},
            {"le"}},
        Case{"AggregationLabelsAfterTheArguments",
             "sum(rate(a[5m])) without (pod, instance)",
             {"a{}"},
             {"instance", "pod"}},
        Case{"OffsetAndKeywords",
             "max by (policy) (w{state=\"failing\"}) > bool max by (policy) (w offset 1h) "
             "and on (policy) group_left (rule) v unless u or Inf",
             {"w{state=failing}", "w{}", "v{}", "u{}"},
             {"policy", "rule"}},
        Case{"StringsAndNumbersAreNotMetrics",
             R"q(label_replace(m, "dst", "$1", "src", "(.*)") * 1e3 + 0.5)q",
             {"m{}"}},
        Case{"EscapedQuoteInValue", R"(m{a="x\"y"})", {R"(m{a=x\"y})"}},
        Case{"SubqueryAndVector",
             "max_over_time(m[1h:5m]) - (count(n == 1) or vector(0))",
             {"m{}", "n{}"}},
        Case{"BareSelector", R"({__name__="m"})", {"{__name__=m}"}},
        Case{"GrafanaLabelValues",
             "label_values(csp_ready{job=\"op\"}, namespace)",
             {"csp_ready{job=op}"},
             {"namespace"},
             true},
        Case{"GrafanaLabelValuesOfLabelOnly", "label_values(namespace)", {}, {"namespace"}, true}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace csp::monitoring
