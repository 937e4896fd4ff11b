// Hostile input is refused cleanly: an error naming the file and a line, never a crash, a hang or
// unbounded memory. Inputs are generated here rather than committed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "collect.h"
#include "csp/manifest/json_reader.h"
#include "csp/manifest/manifest_reader.h"

namespace csp::manifest {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using testing::Collect;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kFile = "hostile.yaml";

testing::Collected Read(std::string_view text, const Limits& limits = {}) {
  return Collect(ParseManifests, text, limits, kFile);
}

std::string Repeat(std::string_view s, int times) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(times));
  for (int i = 0; i < times; ++i) out.append(s);
  return out;
}

// Nine levels of ten aliases each: 10^9 strings once expanded.
std::string BillionLaughs() {
  std::string text = "a: &a [\"lol\"" + Repeat(", \"lol\"", 9) + "]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    const std::string previous(1, static_cast<char>(level - 1));
    text += std::string(1, level) + ": &" + std::string(1, level) + " [*" + previous +
            Repeat(", *" + previous, 9) + "]\n";
  }
  return text;
}

TEST(HostileInputTest, BillionLaughsIsRefusedAndTheNextDocumentIsRead) {
  const std::string text = "kind: before\n---\n" + BillionLaughs() + "---\nkind: after\n";
  const auto got = Read(text);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].file, kFile);
  EXPECT_GE(got.errors[0].line, 3);
  EXPECT_LE(got.errors[0].line, 11);
  EXPECT_THAT(got.errors[0].message,
              HasSubstr("document expands to more than 1000000 nodes (aliases included)"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "before"}}), json({{"kind", "after"}})));
}

TEST(HostileInputTest, AliasesOfAHugeStringAreRefusedByBytes) {
  const std::string big(1 << 20, 'x');
  const std::string text = "a: &a " + big + "\nb: [*a" + Repeat(", *a", 99) + "]\n";
  const auto got = Read(text);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_THAT(got.errors[0].message, HasSubstr("bytes of scalars (aliases included)"));
}

TEST(HostileInputTest, DeepFlowSequenceYaml) {
  const std::string text = "kind: before\n---\n" + Repeat("[", 10000) + Repeat("]", 10000) + "\n";
  const auto got = Read(text);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(), "hostile.yaml:3: nesting deeper than 200 levels");
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "before"}})));
}

TEST(HostileInputTest, DeepFlowMappingYamlUnterminated) {
  const auto got = Read("a: " + Repeat("{a: ", 10000));
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 1);
  EXPECT_THAT(got.errors[0].message, HasSubstr("nesting deeper than 200 levels"));
}

TEST(HostileInputTest, DeepBlockSequenceYaml) {
  const auto got = Read(Repeat("- ", 10000) + "x\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 1);
  EXPECT_THAT(got.errors[0].message, HasSubstr("nesting deeper than 200 levels"));
}

TEST(HostileInputTest, DeepBlockMappingYaml) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
  const auto got = Read(text);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 201);
  EXPECT_THAT(got.errors[0].message, HasSubstr("nesting deeper than 200 levels"));
}

TEST(HostileInputTest, DeepJsonIsSkippedAndTheNextValueIsRead) {
  const std::string text = Repeat("[", 10000) + Repeat("]", 10000) + "\n{\"kind\": \"after\"}\n";
  const auto got = Read(text);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(), "hostile.yaml:1: nesting deeper than 200 levels");
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "after"}})));
}

TEST(HostileInputTest, DeepUnterminatedJson) {
  const std::string text = Repeat("{\"a\":", 10000);
  // As JSON: too deep, then truncated.
  const auto json_only = Collect(ParseJsonStream, text, Limits{}, kFile);
  ASSERT_EQ(json_only.errors.size(), 2u);
  EXPECT_THAT(json_only.errors[0].message, HasSubstr("nesting deeper than 200 levels"));
  EXPECT_THAT(json_only.errors[1].message, HasSubstr("unexpected end of input"));
  EXPECT_EQ(json_only.errors[1].line, 1);
  // ParseManifests falls back to YAML for a first value that is not JSON; YAML stops as deep.
  const auto got = Read(text);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(), "hostile.yaml:1: nesting deeper than 200 levels");
}

// Within raised limits a 10,000-deep value is built, handed over and destroyed; nlohmann
// destroys iteratively, and this runs under ASan in CI.
TEST(HostileInputTest, DeepValueWithinRaisedLimitsIsDestroyedSafely) {
  Limits limits;
  limits.max_depth = 20000;
  for (const std::string& text :
       {Repeat("- ", 10000) + "x\n", Repeat("[", 10000) + "1" + Repeat("]", 10000)}) {
    auto got = Read(text, limits);
    ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
    ASSERT_EQ(got.documents.size(), 1u);
    int depth = 0;
    for (const json* node = &got.documents[0].value; node->is_array(); node = &(*node)[0]) {
      ++depth;
    }
    EXPECT_EQ(depth, 10000);
  }
}

TEST(HostileInputTest, RandomBytes) {
  std::mt19937 random(42);
  for (int round = 0; round < 20; ++round) {
    std::string text(64 << 10, '\0');
    for (char& c : text) c = static_cast<char>(random() & 0xFF);
    if (round % 2 == 1) text[0] = '{';                   // the JSON reader gets garbage too
    if (round % 4 == 2) text.replace(0, 2, "\xFF\xFE");  // and libyaml's UTF-16 decoder
    const auto got = Read(text);
    ASSERT_FALSE(got.errors.empty()) << "round " << round;
    for (const ReadError& error : got.errors) {
      EXPECT_EQ(error.file, kFile);
      EXPECT_GE(error.line, 1) << error.message;
      EXPECT_FALSE(error.message.empty());
    }
  }
}

TEST(HostileInputTest, NulBytesAfterGoodDocuments) {
  const auto got = Read(std::string("kind: A\n---\nkind: B\n---\nkind: C\0\0\0\n", 35));
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(),
            "hostile.yaml:5: control character 0x00 is not allowed in YAML (binary data?)");
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}}), json({{"kind", "B"}})));
}

// The document holding a forbidden byte is reported; reading resumes at the next `---` line.
TEST(HostileInputTest, ForbiddenBytesBreakTheirDocumentOnly) {
  const auto got =
      Read(std::string_view("kind: A\n---\nkind: \0B\n---\nkind: C\n---\nx: \x01\n", 42));
  EXPECT_THAT(got.ErrorStrings(),
              ElementsAre("hostile.yaml:3: control character 0x00 is not allowed in YAML (binary "
                          "data?)",
                          "hostile.yaml:7: control character 0x01 is not allowed in YAML (binary "
                          "data?)"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}}), json({{"kind", "C"}})));
  EXPECT_THAT(got.order, ElementsAre("doc", "error", "doc", "error"));
}

// A syntax error just before the document holding a forbidden byte, with a comment between:
// the comment belongs to that document, reading resumes at its `---`, and the byte is reported
// as itself.
TEST(HostileInputTest, ForbiddenByteAfterASyntaxErrorAndAComment) {
  const auto got = Read(std::string_view("a: b: c\n# note\n---\nkind: \0\n---\nkind: C\n", 39));
  EXPECT_THAT(got.ErrorStrings(),
              ElementsAre("hostile.yaml:1: mapping values are not allowed in this context",
                          "hostile.yaml:4: control character 0x00 is not allowed in YAML (binary "
                          "data?)"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "C"}})));
}

// Every broken document of a big file is reported and every good one read. (The reader's work
// stays linear in the file: each pass starts where the last one stopped, libyaml reads ahead
// 512 bytes, and only the first pass runs in pieces; before, 1 MB of this took 90 s.)
TEST(HostileInputTest, ManyBrokenDocumentsAreEachReported) {
  const auto got = Read(Repeat("a: b: c\n---\nkind: K\n---\n", 50000));
  EXPECT_EQ(got.errors.size(), 50000u);
  EXPECT_EQ(got.Values().size(), 50000u);
  ASSERT_FALSE(got.errors.empty());
  EXPECT_EQ(got.errors.back().ToString(),
            "hostile.yaml:199997: mapping values are not allowed in this context");
}

// Deep nesting stops libyaml at once (its scanner is quadratic in flow depth), and the next
// document is read from its `---` line without scanning the rest of the deep one.
TEST(HostileInputTest, DeepFlowNestingBreaksItsDocumentOnly) {
  const std::string text = "kind: before\n---\n" + Repeat("[", 1000000) + "\n---\nkind: after\n";
  const auto got = Read(text);
  EXPECT_THAT(got.ErrorStrings(), ElementsAre("hostile.yaml:3: nesting deeper than 200 levels"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "before"}}), json({{"kind", "after"}})));
}

TEST(HostileInputTest, InvalidUtf8AfterAGoodDocument) {
  const auto got = Read("kind: A\n---\nname: caf\xC3\x28\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 3);
  EXPECT_THAT(got.errors[0].message, HasSubstr("invalid or disallowed UTF-8 sequence"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}})));
}

TEST(HostileInputTest, OverlongUtf8AndSurrogatesAreRefused) {
  for (const char* text : {"a: \xC0\xAF\n", "a: \xED\xA0\x80\n", "a: \xF4\x90\x80\x80\n"}) {
    const auto got = Read(text);
    ASSERT_EQ(got.errors.size(), 1u) << text;
    EXPECT_EQ(got.errors[0].line, 1);
    EXPECT_TRUE(got.documents.empty());
  }
}

TEST(HostileInputTest, TenMegabyteLineAsAValue) {
  const auto got = Read("kind: A\n---\nx: " + std::string(10 << 20, 'a') + "\n---\nkind: C\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(),
            "hostile.yaml:3: scalar of 10485760 bytes exceeds the limit of 4194304 bytes");
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}}), json({{"kind", "C"}})));
}

TEST(HostileInputTest, TenMegabyteLineAsADocument) {
  const auto got = Read(std::string(10 << 20, 'a'));
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 1);
  EXPECT_THAT(got.errors[0].message, HasSubstr("exceeds the limit"));
}

TEST(HostileInputTest, TenMegabyteFlowLine) {
  const auto got = Read("kind: A\n---\nx: [" + Repeat("12345,", (10 << 20) / 6) + "1]\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 3);
  EXPECT_THAT(got.errors[0].message, HasSubstr("more than 1000000 nodes"));
}

TEST(HostileInputTest, TenMegabyteJsonString) {
  const auto got = Read("{\"x\": \"" + std::string(10 << 20, 'a') + "\"}\n{\"kind\": \"C\"}");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 1);
  EXPECT_THAT(got.errors[0].message, HasSubstr("string of 10485760 bytes exceeds the limit"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "C"}})));
}

TEST(HostileInputTest, UnterminatedQuotedScalar) {
  const auto got = Read("kind: A\n---\nname: 'open\n" + Repeat("more text\n", 1000));
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_THAT(got.errors[0].ToString(),
              AllOf(StartsWith("hostile.yaml:"), HasSubstr("found unexpected end of stream"),
                    HasSubstr("quoted scalar that starts at line 3")));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}})));
}

TEST(HostileInputTest, TabIndentedDocument) {
  const auto got = Read("kind: A\n---\nspec:\n\tcontainers:\n\t- name: x\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 4);
  EXPECT_THAT(got.errors[0].ToString(), StartsWith("hostile.yaml:4: "));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}})));
}

}  // namespace
}  // namespace csp::manifest
