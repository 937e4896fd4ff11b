#include "csp/agent/agent_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace csp::agent {
namespace {

TEST(AgentLogTest, TextQuotesValuesThatNeedIt) {
  EXPECT_EQ(FormatLogBody(false, "profile state",
                          {{"profile", "web"}, {"message", "installed and loaded"}, {"empty", ""}}),
            "profile state profile=web message=\"installed and loaded\" empty=\"\"");
  EXPECT_EQ(FormatLogBody(false, "x", {{"k", "a=b"}}), "x k=\"a=b\"");
}

TEST(AgentLogTest, JsonBodyIsValidJsonOnceWrapped) {
  const std::string body = FormatLogBody(true, "say \"hi\"\n",
                                         {{"path", "C:\\x"}, {"ctl", std::string_view("\x01", 1)}});
  const nlohmann::json parsed = nlohmann::json::parse("{" + body + "}");
  EXPECT_EQ(parsed["msg"], "say \"hi\"\n");
  EXPECT_EQ(parsed["path"], "C:\\x");
  EXPECT_EQ(parsed["ctl"], "\x01");
}

TEST(AgentLogTest, RefusesUnknownFormats) {
  Status s = SetUpAgentLog("xml");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "--log-format: \"xml\" is not text or json");
}

}  // namespace
}  // namespace csp::agent
