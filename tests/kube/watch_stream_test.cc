#include "csp/kube/watch_stream.h"

#include <gtest/gtest.h>

namespace csp::kube {
namespace {

std::string Line(const char* type, const std::string& name, const std::string& rv) {
  return nlohmann::json{
             {"type", type},
             {"object",
              {{"kind", "ConfigMap"}, {"metadata", {{"name", name}, {"resourceVersion", rv}}}}}}
             .dump() +
         "\n";
}

TEST(WatchDecoderTest, DecodesWholeLinesInOrder) {
  WatchDecoder decoder;
  auto events = decoder.Feed(Line("ADDED", "a", "1") + Line("MODIFIED", "a", "2") +
                             Line("DELETED", "a", "3"));
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].type, WatchEventType::kAdded);
  EXPECT_EQ((*events)[1].type, WatchEventType::kModified);
  EXPECT_EQ((*events)[2].type, WatchEventType::kDeleted);
  EXPECT_EQ(ResourceVersionOf((*events)[2].object), "3");
  EXPECT_FALSE(decoder.MidLine());
}

TEST(WatchDecoderTest, JoinsALineTornAcrossChunks) {
  const std::string stream = Line("ADDED", "first", "10") + Line("MODIFIED", "second", "11");
  // Tear inside the second JSON object, in the middle of a string.
  const std::size_t cut = stream.find("second") + 3;
  WatchDecoder decoder;
  auto head = decoder.Feed(std::string_view(stream).substr(0, cut));
  ASSERT_TRUE(head) << head.error().message;
  ASSERT_EQ(head->size(), 1u);
  EXPECT_EQ((*head)[0].object["metadata"]["name"], "first");
  EXPECT_TRUE(decoder.MidLine());

  auto tail = decoder.Feed(std::string_view(stream).substr(cut));
  ASSERT_TRUE(tail) << tail.error().message;
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].type, WatchEventType::kModified);
  EXPECT_EQ((*tail)[0].object["metadata"]["name"], "second");
  EXPECT_FALSE(decoder.MidLine());
}

TEST(WatchDecoderTest, SurvivesOneByteChunks) {
  const std::string stream = Line("ADDED", "x", "5") + Line("BOOKMARK", "", "6");
  WatchDecoder decoder;
  std::vector<WatchEvent> all;
  for (char c : stream) {
    auto events = decoder.Feed(std::string_view(&c, 1));
    ASSERT_TRUE(events) << events.error().message;
    for (auto& e : *events) all.push_back(std::move(e));
  }
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].type, WatchEventType::kBookmark);
}

TEST(WatchDecoderTest, BookmarkCarriesOnlyTheResourceVersion) {
  WatchDecoder decoder;
  auto events = decoder.Feed(
      R"({"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":)"
      R"({"resourceVersion":"12345","annotations":{"k8s.io/initial-events-end":"true"}}}})"
      "\n");
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].type, WatchEventType::kBookmark);
  EXPECT_EQ(ResourceVersionOf((*events)[0].object), "12345");
}

TEST(WatchDecoderTest, ErrorEventCarriesTheStatus) {
  WatchDecoder decoder;
  auto events = decoder.Feed(
      R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)j"
      R"j("status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired",)j"
      R"j("code":410}})j"
      "\n");
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].type, WatchEventType::kError);
  EXPECT_EQ((*events)[0].object["code"], 410);
}

TEST(WatchDecoderTest, SkipsBlankLinesAndCarriageReturns) {
  WatchDecoder decoder;
  std::string line = Line("ADDED", "a", "1");
  line.insert(line.size() - 1, "\r");
  auto events = decoder.Feed("\n  \n" + line);
  ASSERT_TRUE(events) << events.error().message;
  EXPECT_EQ(events->size(), 1u);
}

struct BadCase {
  const char* name = "";
  std::string line = {};
  std::string why = {};
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

const BadCase kBadCases[] = {
    {"not_json", "{\"type\":\"ADDED\",\"obj", "not a JSON object"},
    {"no_type", R"({"object":{}})", "no event type"},
    {"unknown_type", R"({"type":"RENAMED","object":{}})", "unknown event type"},
    {"no_object", R"({"type":"ADDED"})", "no object"},
};

class WatchDecoderBadLineTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(WatchDecoderBadLineTest, IsAnInternalErrorQuotingTheLine) {
  WatchDecoder decoder;
  auto events = decoder.Feed(GetParam().line + "\n");
  ASSERT_FALSE(events);
  EXPECT_EQ(events.error().code, Code::kInternal);
  EXPECT_NE(events.error().message.find(GetParam().why), std::string::npos)
      << events.error().message;
}

INSTANTIATE_TEST_SUITE_P(Cases, WatchDecoderBadLineTest, ::testing::ValuesIn(kBadCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace csp::kube
