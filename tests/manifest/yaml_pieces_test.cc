#include "csp/manifest/yaml_pieces.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <any>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include "collect.h"
#include "csp/manifest/yaml_document_builder.h"
#include "csp/manifest/yaml_events.h"
#include "csp/manifest/yaml_reader.h"

namespace csp::manifest {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

TEST(SplitYamlStreamTest, CutsOnlyAtDocumentMarkersAfterEnoughBytes) {
  const std::string text =
      "a: 1\n"     // 0
      "----\n"     // 5: not a marker
      "---x\n"     // 10: not a marker
      "  ---\n"    // 15: not at column 0
      "--- # c\n"  // 21
      "b: 2\n"     // 29
      "---\n"      // 34
      "c: 3\n"     // 38
      "---";       // 43
  EXPECT_THAT(SplitYamlStream(text, 1), ElementsAre(0u, 21u, 34u, 43u));
  EXPECT_THAT(SplitYamlStream(text, 20), ElementsAre(0u, 21u, 43u));
  EXPECT_THAT(SplitYamlStream(text, 1000), ElementsAre(0u));
}

TEST(SplitYamlStreamTest, DoesNotCutStreamsWithDirectivesOrUtf16) {
  EXPECT_THAT(SplitYamlStream("a: 1\n---\nb: 2\n...\n%YAML 1.1\n---\nc: 3\n", 1), ElementsAre(0u));
  EXPECT_THAT(SplitYamlStream("%TAG ! tag:x,2000:\n---\na: 1\n---\nb: 2\n", 1), ElementsAre(0u));
  EXPECT_THAT(SplitYamlStream(std::string("\xFF\xFE-\0-\0-\0\n\0", 10), 1), ElementsAre(0u));
}

// A stream exercising what a piece boundary could break: lines, anchors, lists, empty documents,
// documents that fail, a block scalar, comments.
std::string MixedStream(int documents) {
  std::string text = "# header comment\n";
  for (int i = 0; i < documents; ++i) {
    const std::string n = std::to_string(i);
    switch (i % 6) {
      case 0:
        text += "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p" + n + "}\n";
        break;
      case 1:
        text += "--- # comment only\n";
        break;
      case 2:
        text += "---\nkind: List\nitems:\n- &x {kind: Pod, n: " + n + "}\n- *x\n";
        break;
      case 3:
        text += "---\nname: dup\nname: again\n";
        break;
      case 4:
        text += "---\nscript: |\n  echo " + n + "\n  ---not a marker\nafter: yes\n";
        break;
      default:
        text += "---\nbase: &b {a: 1}\nderived:\n  <<: *b\n  c: " + n + "\n";
        break;
    }
  }
  return text;
}

void ExpectSame(const testing::Collected& got, const testing::Collected& want) {
  EXPECT_EQ(got.order, want.order);
  EXPECT_EQ(got.ErrorStrings(), want.ErrorStrings());
  ASSERT_EQ(got.documents.size(), want.documents.size());
  for (std::size_t i = 0; i < got.documents.size(); ++i) {
    EXPECT_EQ(got.documents[i].value, want.documents[i].value) << i;
    EXPECT_EQ(got.documents[i].line, want.documents[i].line) << i;
    EXPECT_EQ(got.documents[i].item_lines, want.documents[i].item_lines) << i;
  }
}

testing::Collected OneGo(std::string_view text, const Limits& limits = {}) {
  return testing::Collect(
      [](std::string_view t, std::string_view file, const Limits& l, const DocumentSink& d,
         const ErrorSink& e) { ParseYamlText(t, file, 0, l, d, e); },
      text, limits);
}

testing::Collected InPieces(std::string_view text, std::size_t piece_bytes, std::size_t threads,
                            const Limits& limits = {}) {
  return testing::Collect(
      [&](std::string_view t, std::string_view file, const Limits& l, const DocumentSink& d,
          const ErrorSink& e) {
        ParseYamlPieces(t, SplitYamlStream(t, piece_bytes), threads, file, 0, l, d, e);
      },
      text, limits);
}

TEST(ParseYamlPiecesTest, SameResultsAsParsingInOneGo) {
  const std::string text = MixedStream(120);
  const auto want = OneGo(text);
  ASSERT_FALSE(want.errors.empty());  // the duplicate-key documents
  ASSERT_GT(want.documents.size(), 90u);
  for (std::size_t piece_bytes : {1u, 64u, 500u, 4096u}) {
    for (std::size_t threads : {2u, 3u}) {
      SCOPED_TRACE("piece_bytes=" + std::to_string(piece_bytes) +
                   " threads=" + std::to_string(threads));
      ExpectSame(InPieces(text, piece_bytes, threads), want);
    }
  }
}

// A TapePreparer runs on the worker threads, once per whole document, and its result reaches
// the sink with the tape it was made from; documents the sink declines are built as ever.
TEST(ParseYamlPiecesTest, PreparedResultsReachTheSinkWithTheirDocuments) {
  const std::string text = MixedStream(120);
  const auto want = OneGo(text);
  const std::thread::id caller = std::this_thread::get_id();
  // What the preparer saw of a tape, checked against the same tape in the sink.
  auto describe = [](const YamlTape& tape) {
    return std::to_string(tape.Line(tape.events.front())) + ":" +
           std::to_string(tape.events.size()) + ":" +
           std::string(tape.Value(tape.events[std::min<std::size_t>(2, tape.events.size() - 1)]));
  };
  std::atomic<int> prepared_off_caller = 0;
  std::atomic<int> prepared = 0;
  const TapePreparer prepare = [&](const YamlTape& tape) {
    ++prepared;
    if (std::this_thread::get_id() != caller) ++prepared_off_caller;
    return std::any(describe(tape));
  };
  int offered = 0;
  int declined = 0;
  const TapeSink sink = [&](const YamlTape& tape) {
    ++offered;
    EXPECT_NE(tape.prepared, nullptr);
    if (tape.prepared == nullptr) return false;
    EXPECT_EQ(std::any_cast<std::string>(*tape.prepared), describe(tape));
    return offered % 2 == 0 ? true : (++declined, false);  // every other one is built
  };
  const auto got = testing::Collect(
      [&](std::string_view t, std::string_view file, const Limits& l, const DocumentSink& d,
          const ErrorSink& e) {
        ParseYamlPieces(t, SplitYamlStream(t, 500), 2, file, 0, l, d, e, &sink, &prepare);
      },
      text, {});
  EXPECT_GT(offered, 90);
  EXPECT_EQ(prepared.load(), offered);
  EXPECT_EQ(prepared_off_caller.load(), offered);
  // Each document is either taken by the sink or built and delivered (a document or an error).
  EXPECT_EQ(got.documents.size() + got.errors.size() + static_cast<std::size_t>(offered - declined),
            want.documents.size() + want.errors.size());
  EXPECT_GT(declined, 0);
}

TEST(ParseYamlPiecesTest, NothingAfterASyntaxErrorInAMiddlePiece) {
  const std::string text = MixedStream(30) + "---\na: b: c\n" + MixedStream(30);
  const auto want = OneGo(text);
  ASSERT_EQ(want.order.back(), "error");
  EXPECT_THAT(want.errors.back().message, ::testing::HasSubstr("mapping values are not allowed"));
  ExpectSame(InPieces(text, 100, 2), want);
}

TEST(ParseYamlPiecesTest, NothingAfterTooDeepNestingInAMiddlePiece) {
  const std::string text =
      MixedStream(30) + "---\n" + std::string(5000, '[') + "\n" + MixedStream(30);
  const auto want = OneGo(text);
  ASSERT_THAT(want.errors.back().message, ::testing::HasSubstr("nesting deeper than 200"));
  ExpectSame(InPieces(text, 100, 2), want);
}

// ParseYamlStream resumes after a broken document at the next `---` line; in pieces on worker
// threads (a stream over 512 KiB) the results are the same as on the calling thread.
TEST(ParseYamlStreamTest, ResumesAfterASyntaxErrorTheSameInPieces) {
  const std::string text = MixedStream(8000) + "---\na: b: c\n" + MixedStream(8001);
  ASSERT_GT(text.size(), std::size_t{600} << 10);
  Limits one_thread, two_threads;
  one_thread.threads = 1;
  two_threads.threads = 2;
  const auto want = testing::Collect(ParseYamlStream, text, one_thread);
  EXPECT_THAT(
      want.ErrorStrings(),
      ::testing::Contains("test.yaml:30667: mapping values are not allowed in this context"));
  ASSERT_FALSE(want.Values().empty());
  // The second stream's last document (its key `n` is YAML 1.1's false).
  EXPECT_EQ(want.Values().back()["items"][0]["false"], 8000) << want.Values().back();
  ExpectSame(testing::Collect(ParseYamlStream, text, two_threads), want);
}

TEST(ParseYamlPiecesTest, SameResultsWhenDocumentsBreakLimits) {
  Limits limits;
  limits.max_nodes_per_document = 50;
  limits.max_document_bytes = 2000;
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += "---\nkind: A" + std::to_string(i) + "\n";
    if (i % 4 == 1) text += "list: [" + std::string(100, '1') + "]\n";  // fine
    if (i % 4 == 2) {
      text += "list:\n";
      for (int k = 0; k < 100; ++k) text += "- " + std::to_string(k) + "\n";  // too many nodes
    }
    if (i % 4 == 3) text += "big: " + std::string(3000, 'x') + "\n";  // too many bytes
  }
  // A document that fails, then nests too deep while the builder is skipping it.
  text += "---\na: 1\na: 2\nb: " + std::string(300, '[') + "\n---\nkind: never\n";
  const auto want = OneGo(text, limits);
  ASSERT_GE(want.errors.size(), 20u);
  EXPECT_THAT(want.errors.back().message, ::testing::HasSubstr("nesting deeper than 200"));
  for (std::size_t piece_bytes : {1u, 300u}) {
    SCOPED_TRACE("piece_bytes=" + std::to_string(piece_bytes));
    ExpectSame(InPieces(text, piece_bytes, 2, limits), want);
  }
}

TEST(RecordYamlEventsTest, StopsRecordingADocumentTheBuilderWillRefuse) {
  Limits limits;
  limits.max_nodes_per_document = 10;
  std::string text = "list:\n";
  for (int k = 0; k < 10000; ++k) text += "- " + std::to_string(k) + "\n";
  text += "---\nkind: next\n";
  RecordedYaml recorded = RecordYamlEvents(text, "t.yaml", 0, limits);
  EXPECT_LT(recorded.events.size(), 30u);
  EXPECT_LT(recorded.bytes.size(), 100u);
  EXPECT_FALSE(recorded.error.has_value());
  const auto replayed = testing::Collect(
      [&](std::string_view, std::string_view file, const Limits& l, const DocumentSink& d,
          const ErrorSink& e) {
        YamlDocumentBuilder builder(file, l, d, e);
        EXPECT_TRUE(ReplayYamlEvents(recorded, builder, e));
      },
      text, limits);
  EXPECT_THAT(
      replayed.ErrorStrings(),
      ElementsAre("test.yaml:9: document expands to more than 10 nodes (aliases included)"));
  EXPECT_THAT(replayed.Values(), ElementsAre(json({{"kind", "next"}})));
}

TEST(ParseYamlPiecesTest, ACallbackThatThrowsStopsTheWorkers) {
  const std::string text = MixedStream(300);
  int seen = 0;
  EXPECT_THROW(ParseYamlPieces(
                   text, SplitYamlStream(text, 64), 2, "t.yaml", 0, Limits{},
                   [&](Document&&) {
                     if (++seen == 5) throw std::runtime_error("stop");
                   },
                   [](ReadError&&) {}),
               std::runtime_error);
  EXPECT_EQ(seen, 5);
}

TEST(ParseYamlStreamTest, BigStreamWithThreadsMatchesOneThread) {
  std::string text;
  while (text.size() < (2u << 20)) text += MixedStream(600);
  Limits one;
  one.threads = 1;
  Limits two;
  two.threads = 2;
  const auto want = testing::Collect(ParseYamlStream, text, one);
  const auto got = testing::Collect(ParseYamlStream, text, two);
  ExpectSame(got, want);
  EXPECT_GT(got.documents.size(), 10000u);
}

}  // namespace
}  // namespace csp::manifest
