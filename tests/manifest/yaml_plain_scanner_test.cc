// The plain-style scanner records exactly libyaml's events, or declines: RecordYamlEvents with
// and without it compared on the repository's YAML, the benchmark corpus generator's output,
// handcrafted edge cases and every one-line mutation of them.
#include "csp/manifest/yaml_plain_scanner.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "csp/manifest/yaml_events.h"

namespace csp::manifest {
namespace {

namespace fs = std::filesystem;

// One event as text: type, style, place, and its value, tag and anchor.
std::vector<std::string> Describe(const RecordedYaml& recorded) {
  std::vector<std::string> out;
  const std::string_view bytes = recorded.bytes;
  for (const TapeEvent& e : recorded.events) {
    std::string s = std::to_string(static_cast<int>(e.type)) + (e.plain ? " plain " : " ") +
                    std::to_string(e.line) + ":" + std::to_string(e.index);
    s += " value=" + std::string(bytes.substr(e.value_at, e.value_size));
    s += " tag=" + std::string(bytes.substr(e.value_at + e.value_size, e.tag_size));
    s += " anchor=" +
         std::string(bytes.substr(e.value_at + e.value_size + e.tag_size, e.anchor_size));
    out.push_back(std::move(s));
  }
  if (recorded.error) out.push_back("error " + recorded.error->ToString());
  return out;
}

// Records `text` both ways; true when they agree (a failure is reported with the text).
bool ExpectSameEvents(const std::string& text, const std::string& what) {
  Limits libyaml;
  libyaml.plain_yaml_scanner = false;
  const std::vector<std::string> expected = Describe(RecordYamlEvents(text, "f.yaml", 3, libyaml));
  const std::vector<std::string> got = Describe(RecordYamlEvents(text, "f.yaml", 3, Limits{}));
  EXPECT_EQ(got, expected) << what << ":\n" << text;
  return got == expected;
}

// Documents the scanner records itself (the others go to libyaml).
int Accepted(const std::string& text) {
  RecordedYaml recorded;
  YamlPlainScanner scanner(text, Limits{}, recorded);
  int accepted = 0;
  for (;;) {
    switch (scanner.NextDocument()) {
      case YamlPlainScanner::Step::kDocument:
        ++accepted;
        continue;
      case YamlPlainScanner::Step::kEnd:
        return accepted;
      case YamlPlainScanner::Step::kDeclined:
        return accepted;
    }
  }
}

// Texts a naive scanner would read wrong, and each thing the scanner must decline.
const std::vector<std::string> kEdgeCases = {
    "a: 1\n",
    "a: 1",
    "a: value # comment\nb: 2\n",
    "a: \"a: b\"\nb: 'c: d'\n",
    "a: 'it''s'\nb: ''\nc: \"\"\n",
    "- - x\n  - y\n- z\n",
    "- a: 1\n  b: 2\n- c: 3\n",
    "key:value\n",
    "a:\nb:\n",
    "a:\n- x\n- y\nb: 1\n",
    "a:\n  - x\n  -\n  - y\n",
    "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
    "? a\n: b\n",
    "a: 1   \nb: 2  \n",
    "a: 1\r\nb: 2\r\n",
    "\xEF\xBB\xBF"
    "a: 1\n",
    "a:\n\tb: 1\n",
    "a: [x, y, -r, /src/.]\nb: {c: 1, d: \"e\"}\nc: []\nd: {}\n",
    "a: [x, [y, z], {k: v}]\n",
    "a: [x,\n  y]\n",
    "a: [x, ]\n",
    "a: [x, \n  y]\n",
    "a: {b: [c, \n d]}\n",
    "a: [x]\n---\nb: [y, \n",
    "a: {x}\n",
    "a: {x: }\n",
    "a: {\"x\":1}\n",
    "a: {x :1}\n",
    "a: [a: b]\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: |\n  text\n",
    "a: >\n  text\n",
    "a: one\n  two\n",
    "- one\n  two\n",
    "a:\n  one\n",
    "a: \"x\\ny\"\n",
    "a: \"one\n  two\"\n",
    "a: 1\n  b: 2\n",
    "a:\n    b: 1\n  c: 2\n",
    "- a: 1\n b: 2\n",
    "a: 1\n- b\n",
    "- a\nb: 1\n",
    "a: b: c\n",
    "a: - b\n",
    "a: 1 #c\n#c\n  # c\n\nb: 2 # c\n",
    "a: x#y\nb: x #y\n",
    "\"a\"#c: 1\n",
    "a: \"b\"#c\n",
    "a: \"b\" c\n",
    "'a b': 1\n\"c d\" : 2\n",
    "a : 1\n",
    "---\na: 1\n---\nb: 2\n",
    "--- # c\na: 1\n--- \n",
    "---\n---\na: 1\n---\n",
    "---\n",
    "",
    "# only a comment\n",
    "# only a comment",
    "a: 1\n# trailing\n   ",
    "a:\n  b:\n    c: [d]\n#",
    "a:\n  b:\n    c: 1\n  ",
    "a:\n  b:\n  - c\n #",
    "- a:\n  - b: 1\n    c: 2\n   # x",
    "a: 1 ",
    "a: 1\n...\n---\nb: 2\n",
    "%YAML 1.1\n---\na: 1\n",
    "--- a\n",
    "--- |\n  x\n",
    "  a: 1\n  b: 2\n",
    "x\n",
    "[a, b]\n",
    "{a: 1}\n",
    "a: 1\n---\n- x\n---\nb: 2\n",
    "a: 1\n---x: 2\n",
    "a: caf\xC3\xA9\n---\nb: 1\n---\nc: 2\n",
    "a: 1\rb: 2\n---\nc: 3\n---\nd: 4\n",
    "# \xC2\x85\na: 1\n---\nc: 3\n",
    "a: x\xE2\x80\xA8y\n---\nb: 1\n---\nc: [d, \xE2\x80\xA9]\n---\ne: 1\n",
    "# caf\xC3\xA9\na: 1\n---\nb: 1\n",
    "a: 1\n---\nb: [unclosed\n---\nc: 3\n",
    "a: 1\n---\nb: \"unclosed\n---\nc: 3\n",
    "a: 1\n---\nb: 1\nb: 2\n---\nc: 3\n",
    "a: -\nb: - \nc: -1\nd: --x\n",
    "a: [-]\n",
    "a: ?x\nb: :x\n",
    "-\n- \n-  # c\n",
    "- # c\n  a: 1\n",
    "-   a: 1\n    b: 2\n",
    "a:\n- b:\n  - c\n  d: 1\n",
    "a: 'x' # c\nb: \"y\"   \n",
    "a: @x\nb: `x\nc: %x\n",
    "a: x, y\nb: x]\nc: x}\n",
    "a: {b: [1, 2], c: {d: e}}\n",
    "a: [ x , y ]\n",
    "a: [x y, z]\n",
    "a: {b: c d}\n",
    "a: ['x', \"y\"]\n",
    "a: [x]  # c\nb: [x] y\n",
    "a:  \n  b: 1\n",
    "a:\n\n\n  b: 1\n\n",
    "- a\n-\n",
    "a: 1\n\n",
    "k: " + std::string(1100, 'x') + "\n",
    std::string(1100, 'k') + ": 1\n",
};

TEST(YamlPlainScannerTest, RecordsLibyamlsEventsForEdgeCases) {
  for (const std::string& text : kEdgeCases) ExpectSameEvents(text, "edge case");
}

TEST(YamlPlainScannerTest, ReadsThePlainBlockStyleItself) {
  EXPECT_EQ(Accepted("a: 1\nb:\n- {c: d}\n- [e, 'f']\n---\ng: \"h\"\n"), 2);
  EXPECT_EQ(Accepted("---\n- a: 1\n  b:\n    c: 2\n"), 1);
  EXPECT_EQ(Accepted("# comment only\n"), 0);
}

TEST(YamlPlainScannerTest, DeclinesWhatItIsNotSureOf) {
  for (const char* text :
       {"a: &x 1\n", "a: *x\n", "a: !t 1\n", "a: |\n  x\n", "a: >\n  x\n", "a: one\n  two\n",
        "a:\tb\n", "a: 1\r\n", "? a\n: b\n", "a: [x,\n y]\n", "%YAML 1.1\n---\na: 1\n",
        "a: \"\\t\"\n", "a: caf\xC3\xA9\n", "  a: 1\n", "a: 1\n...\n"}) {
    EXPECT_EQ(Accepted(text), 0) << text;
  }
}

// Each line dropped, doubled, indented by one more or one less space, cut in half, and with
// a trailing space, a comment or a CR added.
std::vector<std::string> Mutations(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto join = [&](std::size_t at, const std::vector<std::string>& replacement) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i == at) {
        for (const std::string& r : replacement) out += r + "\n";
      } else {
        out += lines[i] + "\n";
      }
    }
    return out;
  };
  std::vector<std::string> out;
  for (std::size_t i = 0; i < lines.size() && i < 400; ++i) {
    const std::string& l = lines[i];
    out.push_back(join(i, {}));
    out.push_back(join(i, {l, l}));
    out.push_back(join(i, {" " + l}));
    if (l.starts_with(" ")) out.push_back(join(i, {l.substr(1)}));
    out.push_back(join(i, {l.substr(0, l.size() / 2)}));
    out.push_back(join(i, {l + " "}));
    out.push_back(join(i, {l + " # c"}));
    out.push_back(join(i, {l + "\r"}));
  }
  return out;
}

TEST(YamlPlainScannerTest, RecordsLibyamlsEventsForMutatedEdgeCases) {
  for (const std::string& text : kEdgeCases) {
    for (const std::string& mutated : Mutations(text)) ExpectSameEvents(mutated, "mutation");
  }
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(YamlPlainScannerTest, RecordsLibyamlsEventsForTheRepositorysYaml) {
  int files = 0, accepted = 0;
  for (const char* dir : {"examples", "tests", "config", "crds", "charts", "hack", "docs"}) {
    const fs::path root = fs::path(CSP_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
      const std::string text = ReadAll(entry.path());
      ++files;
      accepted += Accepted(text) > 0;
      if (!ExpectSameEvents(text, entry.path().string())) continue;
      if (files % 8 == 0) {
        for (const std::string& m : Mutations(text)) {
          if (!ExpectSameEvents(m, "mutation of " + entry.path().string())) break;
        }
      }
    }
  }
  EXPECT_GT(files, 100);
  EXPECT_GT(accepted, files / 4);  // the scanner is not declining everything
}

TEST(YamlPlainScannerTest, RecordsLibyamlsEventsForTheBenchmarkCorpus) {
  const std::string command =
      "python3 " + std::string(CSP_SOURCE_DIR) + "/bench/gen_corpus.py --count 300 2>/dev/null";
  std::FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string corpus;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) corpus.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << "needs python3";
  EXPECT_EQ(Accepted(corpus), 300);
  ExpectSameEvents(corpus, "corpus");
  const std::string head = corpus.substr(0, corpus.find("\n---", 20000) + 1);
  for (const std::string& m : Mutations(head)) {
    if (!ExpectSameEvents(m, "mutation of the corpus")) break;
  }
}

}  // namespace
}  // namespace csp::manifest
