#include "csp/manifest/text_position.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace csp::manifest {
namespace {

constexpr std::size_t npos = std::string_view::npos;

TEST(LineAtTest, CountsLinesBeforeTheOffset) {
  const std::string_view text = "a\nbc\n\nd";
  EXPECT_EQ(LineAt(text, 0), 1);
  EXPECT_EQ(LineAt(text, 1), 1);  // the newline belongs to its line
  EXPECT_EQ(LineAt(text, 2), 2);
  EXPECT_EQ(LineAt(text, 5), 3);
  EXPECT_EQ(LineAt(text, 6), 4);
  EXPECT_EQ(LineAt(text, 100), 4);
}

// Against a byte loop, with newlines at every place of a word and bytes whose high bit is set
// or that differ from '\n' in one bit (0x0B, 0x8A), which a sloppy test counts.
TEST(CountNewlinesTest, CountsEveryNewlineAndNothingElse) {
  const std::string alphabet = std::string("\n\x0b\x8a\xff\x00a", 6);
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text += alphabet[(i * 7 + i / 5) % alphabet.size()];
    const std::string_view view(text);
    for (std::size_t from : {std::size_t{0}, std::size_t{3}}) {
      if (from > view.size()) continue;
      const std::string_view part = view.substr(from);
      EXPECT_EQ(CountNewlines(part),
                static_cast<std::size_t>(std::count(part.begin(), part.end(), '\n')))
          << i;
    }
  }
  EXPECT_EQ(CountNewlines(""), 0u);
  EXPECT_EQ(CountNewlines("\n\n\n\n\n\n\n\n\n"), 9u);
}

TEST(LineCounterTest, AgreesWithLineAtForIncreasingAndDecreasingOffsets) {
  const std::string_view text = "a\nbc\n\nd\n";
  LineCounter counter(text);
  for (std::size_t offset : {0u, 2u, 3u, 6u, 1u, 7u, 8u, 0u}) {
    EXPECT_EQ(counter.LineAt(offset), LineAt(text, offset)) << offset;
  }
}

struct InvalidCase {
  const char* name;
  std::string text;
  std::size_t want;
};

const InvalidCase kInvalidCases[] = {
    {"ascii", "kind: Pod\n\tx: \"y\"\r\n~", npos},
    {"utf8_two_three_four_bytes", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 end", npos},
    {"nel_and_bom",
     "\xEF\xBB\xBF"
     "a\xC2\x85",
     npos},
    {"nul", std::string("abc\0def", 7), 3},
    {"del", "abc\x7F", 3},
    {"c1_control", "ab\xC2\x80", 2},
    {"lone_continuation", "abcdefghij\x80", 10},
    {"truncated_sequence", "abcdefgh\xE2\x82", 8},
    {"overlong", "\xC0\xAF", 0},
    {"surrogate", "x\xED\xA0\x80", 1},
    {"above_unicode", "x\xF4\x90\x80\x80", 1},
    {"fffe_noncharacter", "x\xEF\xBF\xBE", 1},
    {"late_in_a_long_ascii_run", std::string(1000, 'a') + '\x01', 1000},
    {"utf16_left_to_libyaml", std::string("\xFF\xFE\x00\x00", 4), npos},
};

class FindInvalidYamlByteTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(FindInvalidYamlByteTest, Finds) {
  EXPECT_EQ(FindInvalidYamlByte(GetParam().text), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Table, FindInvalidYamlByteTest, ::testing::ValuesIn(kInvalidCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(DocumentStartBeforeTest, FindsTheMarkerLineOfTheDocument) {
  const std::string_view text =
      "a: 1\n"     // 0
      "---\n"      // 5
      "b: 2\n"     // 9
      "--- # c\n"  // 14
      "c: 3\n"     // 22
      "----\n"     // 27: not a marker
      "d: 4\n";    // 32
  EXPECT_EQ(DocumentStartBefore(text, 2), 0u);
  EXPECT_EQ(DocumentStartBefore(text, 5), 5u);
  EXPECT_EQ(DocumentStartBefore(text, 10), 5u);
  EXPECT_EQ(DocumentStartBefore(text, 24), 14u);
  EXPECT_EQ(DocumentStartBefore(text, 33), 14u);
}

TEST(DocumentStartBeforeTest, DirectivesBelongToTheDocumentTheyPrecede) {
  const std::string_view text = "a: 1\n...\n%YAML 1.1\n# c\n---\nb: 2\n";
  EXPECT_EQ(DocumentStartBefore(text, text.size() - 2), 9u);
}

TEST(LineOffsetTest, FindsTheFirstByteOfALine) {
  const std::string_view text = "a\nbc\n\nd";
  EXPECT_EQ(LineOffset(text, 1), 0u);
  EXPECT_EQ(LineOffset(text, 2), 2u);
  EXPECT_EQ(LineOffset(text, 3), 5u);
  EXPECT_EQ(LineOffset(text, 4), 6u);
  EXPECT_EQ(LineOffset(text, 9), text.size());
}

// The lines kubectl's YAML reader splits at: `---`, then only blanks or a comment.
TEST(NextSeparatorLineTest, FindsOnlyBareOrCommentedMarkers) {
  const std::string_view text =
      "---\n"         // 0
      "a: 1\n"        // 4
      "---x\n"        // 9: a scalar
      "--- {b: 2}\n"  // 14: content after the marker
      " ---\n"        // 25: not at column 0
      "--- # c\n"     // 30
      "c: '---'\n"    // 38
      "---  \t\r\n"   // 47
      "d: 4\n"        // 55
      "---";          // 60
  EXPECT_EQ(NextSeparatorLine(text, 0), 0u);
  EXPECT_EQ(NextSeparatorLine(text, 1), 30u);
  EXPECT_EQ(NextSeparatorLine(text, 30), 30u);
  EXPECT_EQ(NextSeparatorLine(text, 31), 47u);
  EXPECT_EQ(NextSeparatorLine(text, 48), 60u);
  EXPECT_EQ(NextSeparatorLine(text, 61), std::string_view::npos);
  EXPECT_EQ(NextSeparatorLine("a: 1\nb: 2\n", 0), std::string_view::npos);
}

}  // namespace
}  // namespace csp::manifest
