// MetricsText: number formatting, escaping, family lines, Take.
#include "csp/serve/metrics_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace csp::serve {
namespace {

struct ValueCase {
  const char* name;
  double value;
  const char* want;
};

class FormatValueTest : public ::testing::TestWithParam<ValueCase> {};

TEST_P(FormatValueTest, SpellsAsPrometheusDoes) {
  EXPECT_EQ(FormatValue(GetParam().value), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Values, FormatValueTest,
    ::testing::Values(
        ValueCase{"zero", 0.0, "0"}, ValueCase{"negative_zero", -0.0, "0"},
        ValueCase{"one", 1.0, "1"}, ValueCase{"negative_integer", -42.0, "-42"},
        ValueCase{"large_integer", 1e15, "1000000000000000"},
        ValueCase{"above_2_pow_53", 0x1p54 + 4, "18014398509481988"},
        ValueCase{"largest_int64_range", 0x1p62, "4611686018427387904"},
        ValueCase{"beyond_int64", 1e20, "1e+20"}, ValueCase{"fraction", 0.25, "0.25"},
        ValueCase{"bucket_bound", 0.005, "0.005"}, ValueCase{"shortest_round_trip", 0.1, "0.1"},
        ValueCase{"needs_17_digits", 0.30000000000000004, "0.30000000000000004"},
        ValueCase{"negative_fraction", -2.5, "-2.5"}, ValueCase{"tiny", 1e-9, "1e-09"},
        ValueCase{"nan", std::numeric_limits<double>::quiet_NaN(), "NaN"},
        ValueCase{"positive_infinity", std::numeric_limits<double>::infinity(), "+Inf"},
        ValueCase{"negative_infinity", -std::numeric_limits<double>::infinity(), "-Inf"}),
    [](const auto& info) { return info.param.name; });

struct SampleCase {
  const char* name;
  Labels labels;
  double value;
  std::string want;
};

class SampleTest : public ::testing::TestWithParam<SampleCase> {};

TEST_P(SampleTest, WritesOneLine) {
  MetricsText text;
  text.Sample("csp_thing", GetParam().labels, GetParam().value);
  EXPECT_EQ(text.text(), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Samples, SampleTest,
    ::testing::Values(
        SampleCase{"no_labels_no_braces", {}, 3, "csp_thing 3\n"},
        SampleCase{"one_label", {{"ns", "default"}}, 1, "csp_thing{ns=\"default\"} 1\n"},
        SampleCase{"labels_in_given_order",
                   {{"b", "2"}, {"a", "1"}},
                   0.5,
                   "csp_thing{b=\"2\",a=\"1\"} 0.5\n"},
        SampleCase{"escapes_backslash", {{"p", "C:\\x"}}, 1, "csp_thing{p=\"C:\\\\x\"} 1\n"},
        SampleCase{
            "escapes_quote", {{"p", "say \"hi\""}}, 1, "csp_thing{p=\"say \\\"hi\\\"\"} 1\n"},
        SampleCase{"escapes_newline", {{"p", "a\nb"}}, 1, "csp_thing{p=\"a\\nb\"} 1\n"},
        SampleCase{"keeps_other_bytes", {{"p", "tab\tü{}="}}, 1, "csp_thing{p=\"tab\tü{}=\"} 1\n"},
        SampleCase{"empty_value", {{"p", ""}}, 1, "csp_thing{p=\"\"} 1\n"},
        SampleCase{"nan_value", {}, std::nan(""), "csp_thing NaN\n"}),
    [](const auto& info) { return info.param.name; });

TEST(MetricsTextTest, FamilyWritesHelpThenTypeOnce) {
  MetricsText text;
  text.Family("csp_reconciles_total", "counter", "Reconciles by result.");
  text.Sample("csp_reconciles_total", {{"result", "ok"}}, 2);
  text.Family("csp_reconciles_total", "counter", "Reconciles by result.");
  text.Family("csp_up", "gauge", "1 when serving.");
  text.Sample("csp_up", {}, 1);
  EXPECT_EQ(text.text(),
            "# HELP csp_reconciles_total Reconciles by result.\n"
            "# TYPE csp_reconciles_total counter\n"
            "csp_reconciles_total{result=\"ok\"} 2\n"
            "# HELP csp_up 1 when serving.\n"
            "# TYPE csp_up gauge\n"
            "csp_up 1\n");
}

TEST(MetricsTextTest, HelpEscapesBackslashAndNewlineButNotQuotes) {
  MetricsText text;
  text.Family("m", "gauge", "a \"b\" \\ c\nd");
  EXPECT_EQ(text.text(), "# HELP m a \"b\" \\\\ c\\nd\n# TYPE m gauge\n");
}

TEST(MetricsTextTest, TakeReturnsTheTextAndStartsOver) {
  MetricsText text;
  text.Family("m", "gauge", "h");
  text.Sample("m", {}, 1);
  const std::string first = text.Take();
  EXPECT_EQ(first, "# HELP m h\n# TYPE m gauge\nm 1\n");
  EXPECT_EQ(text.text(), "");
  text.Family("m", "gauge", "h");  // a new exposition: the family is written again
  EXPECT_EQ(text.text(), "# HELP m h\n# TYPE m gauge\n");
}

TEST(MetricsTextTest, ContentTypeIsTheTextFormat) {
  EXPECT_EQ(kContentType, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace csp::serve
