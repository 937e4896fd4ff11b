#include "csp/log/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace csp {
namespace {

TEST(LogTest, TextQuotesValuesThatNeedIt) {
  EXPECT_EQ(FormatLogBody(false, "profile state",
                          {{"profile", "web"}, {"message", "installed and loaded"}, {"empty", ""}}),
            "profile state profile=web message=\"installed and loaded\" empty=\"\"");
  EXPECT_EQ(FormatLogBody(false, "x", {{"k", "a=b"}}), "x k=\"a=b\"");
  EXPECT_EQ(FormatLogBody(false, "x", {{"path", "C:\\x"}}), "x path=\"C:\\\\x\"");
}

TEST(LogTest, JsonBodyIsValidJsonOnceWrapped) {
  const std::string body = FormatLogBody(true, "say \"hi\"\n",
                                         {{"path", "C:\\x"}, {"ctl", std::string_view("\x01", 1)}});
  const nlohmann::json parsed = nlohmann::json::parse("{" + body + "}");
  EXPECT_EQ(parsed["msg"], "say \"hi\"\n");
  EXPECT_EQ(parsed["path"], "C:\\x");
  EXPECT_EQ(parsed["ctl"], "\x01");
}

TEST(LogTest, JsonQuoteEscapesPerRfc8259) {
  EXPECT_EQ(JsonQuote("a\"b\\c\td\re\n\x1f"), R"("a\"b\\c\td\re\n\u001f")");
  EXPECT_EQ(JsonQuote("ünï"), "\"ünï\"");
}

TEST(LogTest, RefusesUnknownFormatsAndLevels) {
  Status s = SetUpLogging("xml", "info", "test");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "--log-format: \"xml\" is not text or json");
  s = SetUpLogging("text", "loud", "test");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "--log-level: \"loud\" is not known");
  EXPECT_TRUE(SetUpLogging("json", "debug", "test"));
}

}  // namespace
}  // namespace csp
