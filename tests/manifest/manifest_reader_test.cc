#include "csp/manifest/manifest_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "collect.h"

namespace csp::manifest {
namespace {

using nlohmann::json;
using testing::Collect;
using ::testing::ElementsAre;

struct DetectCase {
  const char* name;
  const char* text;
  bool json;
};

const DetectCase kDetectCases[] = {
    {"object", "{\"a\": 1}", true},
    {"array_after_space", " \n\t[1]", true},
    {"after_bom", "\xEF\xBB\xBF{}", true},
    {"yaml", "a: 1", false},
    {"comment_first", "# c\n{\"a\": 1}", false},
    {"marker_first", "---\n{}", false},
    {"empty", "", false},
};

class LooksLikeJsonTest : public ::testing::TestWithParam<DetectCase> {};

TEST_P(LooksLikeJsonTest, Detects) { EXPECT_EQ(LooksLikeJson(GetParam().text), GetParam().json); }

INSTANTIATE_TEST_SUITE_P(Table, LooksLikeJsonTest, ::testing::ValuesIn(kDetectCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ParseManifestsTest, ReadsJsonAndYamlToTheSameValues) {
  const auto yaml = Collect(ParseManifests, "apiVersion: v1\nkind: Pod\nspec: {a: [1, true]}\n");
  const auto from_json = Collect(
      ParseManifests, "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {\"a\": [1, true]}}");
  ASSERT_TRUE(yaml.errors.empty());
  ASSERT_TRUE(from_json.errors.empty());
  EXPECT_EQ(yaml.Values(), from_json.Values());
}

TEST(ParseManifestsTest, YamlWithJsonInsideIsYaml) {
  const auto got =
      Collect(ParseManifests, "# JSON in a YAML stream\n{\"a\": 1}\n---\n{\"a\": 2}\n");
  ASSERT_TRUE(got.errors.empty());
  EXPECT_THAT(got.Values(), ElementsAre(json({{"a", 1}}), json({{"a", 2}})));
}

TEST(ParseManifestsTest, FlowStyleYamlThatLooksLikeJsonIsReadAsYaml) {
  const auto got = Collect(ParseManifests, "{kind: Pod, spec: {privileged: yes}}\n---\n{a: 1}\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "Pod"}, {"spec", {{"privileged", true}}}}),
                                        json({{"a", 1}})));
}

TEST(ParseManifestsTest, BrokenJsonAfterTheFirstValueIsAJsonError) {
  const auto got = Collect(ParseManifests, "{\"kind\": \"A\"}\n{\"kind\": }\n", Limits{}, "x.json");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_THAT(got.errors[0].message, ::testing::HasSubstr("syntax error while parsing value"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}})));
}

TEST(ParseManifestsTest, BrokenFirstJsonValueIsReportedByTheYamlReader) {
  const auto got = Collect(ParseManifests, "{\"kind\": \"A\",\n \"x\": [}\n", Limits{}, "x.json");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].file, "x.json");
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_TRUE(got.documents.empty());
}

TEST(ReadErrorTest, PrintsFileLineMessage) {
  EXPECT_EQ((ReadError{.file = "x.yaml", .line = 3, .message = "bad"}).ToString(), "x.yaml:3: bad");
  EXPECT_EQ((ReadError{.file = "x.yaml", .message = "No such file or directory"}).ToString(),
            "x.yaml: No such file or directory");
}

}  // namespace
}  // namespace csp::manifest
