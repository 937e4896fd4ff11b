#include "csp/admission/nesting.h"

#include <gtest/gtest.h>

#include <string>

namespace csp::admission {
namespace {

struct Case {
  std::string name;
  std::string text;
  std::size_t limit;
  bool want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const Case kCases[] = {
    {"Scalar", "1", 0, true},
    {"EmptyObjectAtLimit", "{}", 1, true},
    {"EmptyObjectOverLimit", "{}", 0, false},
    {"MixedAtLimit", R"({"a": [{"b": []}]})", 4, true},
    {"MixedOverLimit", R"({"a": [{"b": []}]})", 3, false},
    {"SiblingsDoNotAdd", "[[], [], [[]]]", 3, true},
    {"BracketsInStringsDoNotCount", R"(["[[[[{{{{"])", 1, true},
    {"EscapedQuoteStaysInString", R"(["\"[[[["])", 1, true},
    {"EscapedBackslashEndsString", R"(["\\", [[]]])", 2, false},
    {"UnbalancedClosersDoNotGoNegative", "]]]]][[", 2, true},
    {"UnterminatedString", "[\"[[[[", 1, true},
};

class NestingTest : public testing::TestWithParam<Case> {};

TEST_P(NestingTest, Bounds) {
  EXPECT_EQ(NestingWithin(GetParam().text, GetParam().limit), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Cases, NestingTest, testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::admission
