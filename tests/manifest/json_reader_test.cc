#include "csp/manifest/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "collect.h"

namespace csp::manifest {
namespace {

using nlohmann::json;
using testing::Collect;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

testing::Collected Read(std::string_view text, const Limits& limits = {}) {
  return Collect(ParseJsonStream, text, limits, "m.json");
}

TEST(JsonReaderTest, ReadsOneObject) {
  const auto got = Read("\n\n{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"n\": 1.5}\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  ASSERT_EQ(got.documents.size(), 1u);
  EXPECT_EQ(got.documents[0].value, json({{"apiVersion", "v1"}, {"kind", "Pod"}, {"n", 1.5}}));
  EXPECT_EQ(got.documents[0].line, 3);
  EXPECT_EQ(got.documents[0].file, "m.json");
}

TEST(JsonReaderTest, ReadsAStreamOfValuesLikeKubectl) {
  const auto got = Read("{\"kind\": \"A\"}\n{\"kind\": \"B\"}{\"kind\": \"C\"}\n\n[1, 2] 7 \"s\"");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  std::vector<json> values;
  std::vector<int> lines;
  for (const Document& document : got.documents) {
    values.push_back(document.value);
    lines.push_back(document.line);
  }
  EXPECT_THAT(values, ElementsAre(json({{"kind", "A"}}), json({{"kind", "B"}}),
                                  json({{"kind", "C"}}), json({1, 2}), json(7), json("s")));
  EXPECT_THAT(lines, ElementsAre(1, 2, 2, 4, 4, 4));
}

TEST(JsonReaderTest, ByteOrderMarkAndCrlf) {
  const auto got = Read("\xEF\xBB\xBF{\"kind\": \"A\"}\r\n\r\n{\"kind\": \"B\"}\r\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  ASSERT_EQ(got.documents.size(), 2u);
  EXPECT_EQ(got.documents[0].line, 1);
  EXPECT_EQ(got.documents[1].line, 3);
}

TEST(JsonReaderTest, TopLevelNumberFollowedByAValue) {
  const auto got = Read("[1] 12[3]");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  EXPECT_THAT(got.Values(), ElementsAre(json({1}), json(12), json({3})));
}

TEST(JsonReaderTest, ListItemsHaveTheirLines) {
  const auto got = Read(
      "{\n"                                    // 1
      "  \"kind\": \"List\",\n"                // 2
      "  \"items\": [\n"                       // 3
      "    {\"kind\": \"Pod\"},\n"             // 4
      "    {\n"                                // 5
      "      \"kind\": \"Pod\"\n"              // 6
      "    }\n"                                // 7
      "  ],\n"                                 // 8
      "  \"other\": {\"items\": [{}, {}]},\n"  // 9
      "  \"after\": [{}, {}]\n"                // 10
      "}\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  ASSERT_EQ(got.documents.size(), 1u);
  EXPECT_THAT(got.documents[0].item_lines, ElementsAre(4, 5));
}

TEST(JsonReaderTest, RootArrayElementsAndComposeServicesHaveTheirLines) {
  const auto array = Read("[\n  {\"Id\": \"a\"},\n\n  {\n    \"Id\": \"b\"\n  }\n]\n");
  ASSERT_EQ(array.documents.size(), 1u);
  EXPECT_THAT(array.documents[0].item_lines, ElementsAre(2, 4));
  const auto compose = Read(
      "{\"services\": {\n  \"web\": {},\n  \"db\": {\"x\": {\"y\": 1}}},\n"
      " \"other\": {\"z\": {}}}\n");
  ASSERT_EQ(compose.documents.size(), 1u);
  using Line = std::pair<std::string, int>;
  EXPECT_THAT(compose.documents[0].key_lines, ElementsAre(Line{"web", 2}, Line{"db", 3}));
}

TEST(JsonReaderTest, DuplicateKeySkipsTheValueOnly) {
  const auto got = Read("{\"kind\": \"A\"}\n{\"a\": 1,\n \"a\": 2}\n{\"kind\": \"C\"}\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(), "m.json:3: mapping key \"a\" already defined");
  EXPECT_THAT(got.order, ElementsAre("doc", "error", "doc"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}}), json({{"kind", "C"}})));
}

TEST(JsonReaderTest, SyntaxErrorStopsTheStreamWithItsLine) {
  const auto got = Read("{\"kind\": \"A\"}\n{\"kind\":\n  \"B\",,\n}\n{\"kind\": \"C\"}\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 3);
  EXPECT_THAT(got.errors[0].message, HasSubstr("syntax error while parsing object key"));
  EXPECT_THAT(got.errors[0].message, ::testing::Not(HasSubstr("json.exception")));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}})));
}

TEST(JsonReaderTest, TruncatedInputIsAnError) {
  const auto got = Read("{\"kind\": \"A\",\n \"spec\": {");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_THAT(got.errors[0].message, HasSubstr("unexpected end of input"));
}

TEST(JsonReaderTest, DepthLimitSkipsTheValueAndGoesOn) {
  Limits limits;
  limits.max_depth = 3;
  const auto got = Read("{\"a\": [[1]]}\n{\"a\":\n [[[1]]]}\n{\"kind\": \"C\"}\n", limits);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(), "m.json:3: nesting deeper than 3 levels");
  EXPECT_THAT(got.Values(), ElementsAre(json({{"a", {{1}}}}), json({{"kind", "C"}})));
}

TEST(JsonReaderTest, NodeAndScalarLimits) {
  Limits limits;
  limits.max_nodes_per_document = 4;
  auto got = Read("[1, 2, 3]\n[1, 2, 3, 4]\n", limits);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_THAT(got.errors[0].message, HasSubstr("more than 4 nodes"));

  limits = Limits{};
  limits.max_scalar_bytes = 3;
  got = Read("{\"abc\": \"abcd\"}", limits);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_THAT(got.errors[0].message, HasSubstr("string of 4 bytes exceeds the limit of 3 bytes"));
}

TEST(JsonReaderTest, InvalidUtf8InAStringIsAnError) {
  const auto got = Read("{\"a\": \"\xff\"}");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 1);
  EXPECT_THAT(got.errors[0].message, HasSubstr("UTF-8"));
}

TEST(JsonReaderTest, NumberOverflowIsAnError) {
  const auto got = Read("{\"a\": 1e999}");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_THAT(got.errors[0].message, HasSubstr("number overflow"));
}

}  // namespace
}  // namespace csp::manifest
