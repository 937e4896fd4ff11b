#include "csp/manifest/yaml_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "collect.h"

namespace csp::manifest {
namespace {

using nlohmann::json;
using testing::Collect;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

testing::Collected Read(std::string_view text, const Limits& limits = {}) {
  return Collect(ParseYamlStream, text, limits, "m.yaml");
}

TEST(YamlReaderTest, ReadsDocumentsInOrderWithTheirLines) {
  const auto got = Read(
      "# leading comment\n"      // 1
      "apiVersion: v1\n"         // 2
      "kind: Pod\n"              // 3
      "---\n"                    // 4
      "# a comment first\n"      // 5
      "\n"                       // 6
      "apiVersion: apps/v1\n"    // 7
      "kind: Deployment\n"       // 8
      "--- {kind: Service}\n");  // 9
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  ASSERT_EQ(got.documents.size(), 3u);
  EXPECT_EQ(got.documents[0].value, json({{"apiVersion", "v1"}, {"kind", "Pod"}}));
  EXPECT_EQ(got.documents[0].line, 2);
  EXPECT_EQ(got.documents[1].value["kind"], "Deployment");
  EXPECT_EQ(got.documents[1].line, 7);
  EXPECT_EQ(got.documents[2].value, json({{"kind", "Service"}}));
  EXPECT_EQ(got.documents[2].line, 9);
  EXPECT_EQ(got.documents[0].file, "m.yaml");
}

TEST(YamlReaderTest, EmptyAndCommentOnlyDocumentsAreNull) {
  const auto got = Read("---\n---\n# only a comment\n---\nkind: A\n---\n...\n");
  ASSERT_TRUE(got.errors.empty());
  std::vector<bool> nulls;
  for (const Document& document : got.documents) nulls.push_back(document.value.is_null());
  EXPECT_THAT(nulls, ElementsAre(true, true, false, true));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}})));
}

TEST(YamlReaderTest, CrlfLineEndingsAndABom) {
  const auto got = Read("\xEF\xBB\xBFkind: A\r\n---\r\n\r\nkind: B\r\nlist:\r\n- x\r\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  ASSERT_EQ(got.documents.size(), 2u);
  EXPECT_EQ(got.documents[0].value, json({{"kind", "A"}}));
  EXPECT_EQ(got.documents[0].line, 1);
  EXPECT_EQ(got.documents[1].value, json({{"kind", "B"}, {"list", {"x"}}}));
  EXPECT_EQ(got.documents[1].line, 4);
}

TEST(YamlReaderTest, EmptyInputHasNoDocuments) {
  EXPECT_TRUE(Read("").documents.empty());
  EXPECT_TRUE(Read("# nothing here\n\n").documents.empty());
  EXPECT_TRUE(Read("").errors.empty());
}

TEST(YamlReaderTest, ListItemsHaveTheirLines) {
  const auto got = Read(
      "apiVersion: v1\n"                 // 1
      "kind: List\n"                     // 2
      "items:\n"                         // 3
      "- apiVersion: v1\n"               // 4
      "  kind: Pod\n"                    // 5
      "  metadata: {name: a}\n"          // 6
      "# between items\n"                // 7
      "- {apiVersion: v1, kind: Pod}\n"  // 8
      "-\n"                              // 9
      "  apiVersion: v1\n");             // 10
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  ASSERT_EQ(got.documents.size(), 1u);
  EXPECT_EQ(got.documents[0].value["items"].size(), 3u);
  EXPECT_THAT(got.documents[0].item_lines, ElementsAre(4, 8, 10));
}

TEST(YamlReaderTest, ComposeServicesHaveTheirLines) {
  const auto got = Read(
      "services:\n"           // 1
      "  web:\n"              // 2
      "    image: nginx\n"    // 3
      "    labels: {a: b}\n"  // 4
      "  db: {image: pg}\n"   // 5
      "volumes:\n"            // 6
      "  data: {}\n");        // 7
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  ASSERT_EQ(got.documents.size(), 1u);
  using Line = std::pair<std::string, int>;
  EXPECT_THAT(got.documents[0].key_lines, ElementsAre(Line{"web", 2}, Line{"db", 5}));
  EXPECT_TRUE(Read("x:\n  services:\n    a: {}\n").documents[0].key_lines.empty());
}

TEST(YamlReaderTest, OnlyTheRootItemsSequenceRecordsLines) {
  const auto got = Read("kind: X\nspec:\n  items:\n  - a\n  - b\n");
  ASSERT_EQ(got.documents.size(), 1u);
  EXPECT_TRUE(got.documents[0].item_lines.empty());
}

TEST(YamlReaderTest, ItemsFromAnAliasHaveNoLines) {
  const auto got = Read("x: &list [1, 2]\nitems: *list\n");
  ASSERT_EQ(got.documents.size(), 1u);
  EXPECT_EQ(got.documents[0].value["items"], json({1, 2}));
  EXPECT_TRUE(got.documents[0].item_lines.empty());
}

TEST(YamlReaderTest, ScalarsAreTypedLikeKubectl) {
  const auto got = Read(
      "privileged: yes\n"
      "runAsUser: 0777\n"
      "name: \"0777\"\n"
      "cpu: 1.0\n"
      "ratio: 0.5\n"
      "empty:\n"
      "block: |\n  text\n"
      "tagged: !!str 10\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  ASSERT_EQ(got.documents.size(), 1u);
  const json& v = got.documents[0].value;
  EXPECT_EQ(v["privileged"], true);
  EXPECT_EQ(v["runAsUser"], 511);
  EXPECT_EQ(v["name"], "0777");
  EXPECT_TRUE(v["cpu"].is_number_integer());
  EXPECT_EQ(v["ratio"], 0.5);
  EXPECT_TRUE(v["empty"].is_null());
  EXPECT_EQ(v["block"], "text\n");
  EXPECT_EQ(v["tagged"], "10");
}

TEST(YamlReaderTest, NonStringKeysBecomeStrings) {
  const auto got = Read("1: a\nfalse: b\n0x10: c\ny: d\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  // `y` is YAML 1.1's true, so the key is "true", as kubectl makes it.
  EXPECT_EQ(got.documents[0].value, json({{"1", "a"}, {"false", "b"}, {"16", "c"}, {"true", "d"}}));
}

TEST(YamlReaderTest, AnchorsAndAliasesAreExpanded) {
  const auto got = Read(
      "base: &base {image: nginx, ports: [80]}\n"
      "copy: *base\n"
      "name: &n web\n"
      "again: *n\n"
      "*n : keyed\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  const json& v = got.documents[0].value;
  EXPECT_EQ(v["copy"], v["base"]);
  EXPECT_EQ(v["again"], "web");
  EXPECT_EQ(v["web"], "keyed");
}

TEST(YamlReaderTest, AnAnchoredSequenceSurvivesItsParentGrowing) {
  // The anchor points at the sequence's contents; growing the parent array moves the json that
  // owns them, not the contents.
  std::string text = "list:\n- &a [1, 2, 3]\n";
  for (int i = 0; i < 100; ++i) text += "- " + std::to_string(i) + "\n";
  text += "copy: *a\n";
  const auto got = Read(text);
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  EXPECT_EQ(got.documents[0].value["copy"], json({1, 2, 3}));
}

TEST(YamlReaderTest, MergeKeysCopyMissingKeysEarlierSourcesWin) {
  const auto got = Read(
      "a: &a {p: 1, q: 1}\n"
      "b: &b {q: 2, r: 2}\n"
      "one:\n  <<: *a\n  p: own\n"
      "list:\n  <<: [*a, *b]\n"
      "inline:\n  w: 0\n  <<: {w: 9, v: 9}\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  const json& v = got.documents[0].value;
  EXPECT_EQ(v["one"], json({{"p", "own"}, {"q", 1}}));
  EXPECT_EQ(v["list"], json({{"p", 1}, {"q", 1}, {"r", 2}}));
  EXPECT_EQ(v["inline"], json({{"w", 0}, {"v", 9}}));
}

TEST(YamlReaderTest, AnchorInsideAMergeValueStaysValid) {
  const auto got = Read("m:\n  <<: {a: &inner [1]}\nuse: *inner\n");
  ASSERT_TRUE(got.errors.empty()) << got.ErrorStrings()[0];
  EXPECT_EQ(got.documents[0].value["use"], json({1}));
  EXPECT_EQ(got.documents[0].value["m"], json({{"a", {1}}}));
}

TEST(YamlReaderTest, QuotedMergeKeyIsAnOrdinaryKey) {
  const auto got = Read("\"<<\": {a: 1}\n");
  ASSERT_TRUE(got.errors.empty());
  EXPECT_EQ(got.documents[0].value, json({{"<<", {{"a", 1}}}}));
}

struct ErrorCase {
  const char* name;
  const char* text;
  int line;
  const char* message;
};

// Each breaks the second of three documents; the others are still read.
const ErrorCase kDocumentErrors[] = {
    {"duplicate_key", "kind: A\n---\nname: a\nimage: x\nname: b\n---\nkind: C\n", 5,
     "mapping key \"name\" already defined"},
    {"duplicate_nested_key", "kind: A\n---\nspec:\n  a: 1\n  a: 2\n---\nkind: C\n", 5,
     "mapping key \"a\" already defined"},
    {"duplicate_after_conversion", "kind: A\n---\n1: a\n\"1\": b\n---\nkind: C\n", 4,
     "mapping key \"1\" already defined"},
    {"complex_key", "kind: A\n---\n? [a, b]\n: c\n---\nkind: C\n", 3,
     "a mapping or sequence cannot be a mapping key"},
    {"null_key", "kind: A\n---\n~: c\n---\nkind: C\n", 3, "is null"},
    {"unknown_alias", "kind: A\n---\na: *nowhere\n---\nkind: C\n", 3,
     "unknown anchor \"nowhere\" referenced"},
    {"alias_inside_its_own_anchor", "kind: A\n---\na: &x [1, *x]\n---\nkind: C\n", 3,
     "unknown anchor \"x\" referenced"},
    {"anchors_do_not_cross_documents", "a: &x 1\n---\nb: *x\n---\nkind: C\n", 3,
     "unknown anchor \"x\""},
    {"container_alias_as_key", "kind: A\n---\na: &m {x: 1}\n*m : 2\n---\nkind: C\n", 4,
     "cannot be a mapping key"},
    {"bad_merge_value", "kind: A\n---\nm:\n  <<: 5\n---\nkind: C\n", 4,
     "merge key (<<) needs a mapping"},
    {"tag_mismatch", "kind: A\n---\nreplicas: !!int three\n---\nkind: C\n", 3,
     "cannot decode !!str `three` as a !!int"},
    {"infinity", "kind: A\n---\nx: .inf\n---\nkind: C\n", 3, "not a finite number"},
};

class YamlDocumentErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(YamlDocumentErrorTest, ReportsAndSkipsOnlyThatDocument) {
  const ErrorCase& c = GetParam();
  const auto got = Read(c.text);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].file, "m.yaml");
  EXPECT_EQ(got.errors[0].line, c.line) << got.errors[0].message;
  EXPECT_THAT(got.errors[0].message, HasSubstr(c.message));
  EXPECT_THAT(got.order, ElementsAre("doc", "error", "doc"));
  EXPECT_EQ(got.documents.back().value["kind"], "C");
}

INSTANTIATE_TEST_SUITE_P(Table, YamlDocumentErrorTest, ::testing::ValuesIn(kDocumentErrors),
                         [](const auto& info) { return std::string(info.param.name); });

// A syntax error breaks its document only: reading resumes at the next `---` line, as kubectl,
// which splits a file at those lines before decoding each document, would still apply the rest.
TEST(YamlReaderTest, SyntaxErrorSkipsToTheNextDocumentMarker) {
  const auto got = Read(
      "kind: A\n"    // 1
      "---\n"        // 2
      "kind: B\n"    // 3
      "---\n"        // 4
      "a: b: c\n"    // 5
      "d: e\n"       // 6
      "---\n"        // 7
      "kind: D\n");  // 8
  EXPECT_THAT(got.ErrorStrings(),
              ElementsAre("m.yaml:5: mapping values are not allowed in this context"));
  EXPECT_THAT(got.Values(),
              ElementsAre(json({{"kind", "A"}}), json({{"kind", "B"}}), json({{"kind", "D"}})));
  EXPECT_THAT(got.order, ElementsAre("doc", "doc", "error", "doc"));
  EXPECT_EQ(got.documents.back().line, 8);
}

TEST(YamlReaderTest, BrokenFirstDocumentDoesNotHideTheRest) {
  const auto got = Read(
      "metadata: name: a\n"  // 1
      "--- # next\n"         // 2
      "kind: B\n"            // 3
      "---\n"                // 4
      "kind: C\n");          // 5
  EXPECT_THAT(got.ErrorStrings(),
              ElementsAre("m.yaml:1: mapping values are not allowed in this context"));
  ASSERT_THAT(got.Values(), ElementsAre(json({{"kind", "B"}}), json({{"kind", "C"}})));
  EXPECT_EQ(got.documents[0].line, 3);
}

TEST(YamlReaderTest, EachBrokenDocumentIsReportedOnce) {
  const auto got = Read(
      "a: 'never closed\n"  // 1
      "---\n"               // 2: ends the quoted scalar above, libyaml reports it here
      "kind: B\n"           // 3
      "---\n"               // 4
      "list: [unclosed\n"   // 5
      "---\n"               // 6
      "---\n"               // 7
      "\tkey: tab\n"        // 8
      "---\n"               // 9
      "kind: E\n");         // 10
  ASSERT_EQ(got.errors.size(), 3u) << ::testing::PrintToString(got.ErrorStrings());
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_THAT(got.errors[0].message, HasSubstr("quoted scalar that starts at line 1"));
  EXPECT_EQ(got.errors[1].line, 6);
  EXPECT_THAT(got.errors[1].message, HasSubstr("flow sequence that starts at line 5"));
  EXPECT_EQ(got.errors[2].line, 8);
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "B"}}), json({{"kind", "E"}})));
  EXPECT_THAT(got.order, ElementsAre("error", "doc", "error", "doc", "error", "doc"));
}

// kubectl splits only at a `---` line with nothing but blanks or a comment after it; a
// marker line with content is part of the broken document, not a place to resume.
TEST(YamlReaderTest, MarkerLineWithContentIsNotWhereReadingResumes) {
  const auto got = Read(
      "a: 'never closed\n"  // 1
      "--- {kind: B}\n"     // 2
      "---\n"               // 3
      "kind: C\n");         // 4
  ASSERT_EQ(got.errors.size(), 1u) << ::testing::PrintToString(got.ErrorStrings());
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "C"}})));
}

TEST(YamlReaderTest, SyntaxErrorInTheLastDocumentEndsTheFile) {
  const auto got = Read("kind: A\n---\na: b: c\n");
  EXPECT_THAT(got.ErrorStrings(),
              ElementsAre("m.yaml:3: mapping values are not allowed in this context"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}})));
}

TEST(YamlReaderTest, SyntaxErrorNamesTheContextLine) {
  const auto got = Read("a: 1\nb:\n  - x\n  y: z\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 4);
  EXPECT_THAT(got.errors[0].message, HasSubstr("that starts at line"));
}

TEST(YamlReaderTest, LimitsAreConfigurable) {
  Limits limits;
  limits.max_scalar_bytes = 4;
  auto got = Read("a: 12345\n---\na: 1234\n", limits);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(), "m.yaml:1: scalar of 5 bytes exceeds the limit of 4 bytes");
  EXPECT_THAT(got.Values(), ElementsAre(json({{"a", 1234}})));

  limits = Limits{};
  limits.max_nodes_per_document = 5;
  got = Read("[1, 2, 3, 4]\n---\n[1, 2, 3, 4, 5]\n", limits);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 3);
  EXPECT_THAT(got.errors[0].message, HasSubstr("more than 5 nodes"));

  limits = Limits{};
  limits.max_document_bytes = 20;
  got = Read("a: [1, 2]\n---\nlong: [1, 2, 3, 4, 5, 6, 7, 8]\n", limits);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_THAT(got.errors[0].message, HasSubstr("document is larger than 20 bytes"));
}

TEST(YamlReaderTest, DepthLimitCountsContainers) {
  Limits limits;
  limits.max_depth = 3;
  auto got = Read("a: {b: [1]}\n", limits);
  EXPECT_TRUE(got.errors.empty());
  got = Read("a: {b: [[1]]}\n---\nkind: next\n", limits);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(), "m.yaml:1: nesting deeper than 3 levels");
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "next"}})));
}

TEST(YamlReaderTest, AliasCannotNestBeyondTheDepthLimit) {
  Limits limits;
  limits.max_depth = 4;
  const auto got = Read("a: &a [[1]]\nb: [[*a]]\n", limits);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_THAT(got.errors[0].message, HasSubstr("alias *a would nest deeper than 4 levels"));
}

TEST(YamlReaderTest, UnterminatedQuoteIsASyntaxErrorNamingItsStart) {
  const auto got = Read("kind: A\n---\na: 1\nb: \"never closed\nc: 2\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_THAT(got.errors[0].message, HasSubstr("quoted scalar that starts at line 4"));
  EXPECT_THAT(got.Values(), ElementsAre(json({{"kind", "A"}})));
}

TEST(YamlReaderTest, TabIndentationIsASyntaxError) {
  const auto got = Read("spec:\n\tcontainers: []\n");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_TRUE(got.documents.empty());
}

}  // namespace
}  // namespace csp::manifest
