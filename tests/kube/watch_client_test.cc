// Client::Watch over scripted body chunks: event order, torn frames, bookmarks, 410 Gone.
#include <gtest/gtest.h>

#include "csp/kube/client.h"
#include "csp/kube/status_error.h"
#include "fakes.h"

namespace csp::kube {
namespace {

using testing::Chunks;
using testing::Fail;
using testing::FakeClock;
using testing::Respond;
using testing::ScriptedTransport;
using testing::Step;

const ResourceRef kConfigMaps{"", "v1", "configmaps", true};

std::string Line(const char* type, const std::string& name, const std::string& rv) {
  return nlohmann::json{
             {"type", type},
             {"object",
              {{"kind", "ConfigMap"}, {"metadata", {{"name", name}, {"resourceVersion", rv}}}}}}
             .dump() +
         "\n";
}

std::string ErrorLine(int code, const std::string& reason) {
  return nlohmann::json{{"type", "ERROR"},
                        {"object",
                         {{"kind", "Status"},
                          {"code", code},
                          {"reason", reason},
                          {"message", "too old resource version: 5 (90)"}}}}
             .dump() +
         "\n";
}

class WatchTest : public ::testing::Test {
 protected:
  Client& Make(std::vector<Step> steps) {
    auto transport = std::make_unique<ScriptedTransport>(std::move(steps));
    transport_ = transport.get();
    client_ = std::make_unique<Client>(std::move(transport), RestConfig{.token = "t"},
                                       ClientOptions{.qps = 0, .clock = &clock_});
    return *client_;
  }

  // Runs a watch that records "TYPE name@rv" for each event.
  Status Run(const WatchOptions& options, int stop_after = -1) {
    return client_->Watch(kConfigMaps, "ns", options, [&](const WatchEvent& e) {
      seen.push_back(std::string(WatchEventTypeName(e.type)) + " " +
                     e.object["metadata"].value("name", "") + "@" + ResourceVersionOf(e.object));
      return stop_after < 0 || static_cast<int>(seen.size()) < stop_after;
    });
  }

  FakeClock clock_;
  ScriptedTransport* transport_ = nullptr;
  std::unique_ptr<Client> client_;
  std::vector<std::string> seen;
};

TEST_F(WatchTest, DeliversEventsInOrderAcrossATornChunk) {
  const std::string body = Line("ADDED", "a", "11") + Line("MODIFIED", "a", "12") +
                           Line("BOOKMARK", "", "13") + Line("DELETED", "a", "14");
  const std::size_t cut = body.find("MODIFIED") + 20;  // inside the second JSON object
  Make({Chunks({body.substr(0, cut), body.substr(cut)})});
  Status status = Run({.resource_version = "10", .allow_bookmarks = true, .timeout_seconds = 30});
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED a@11", "MODIFIED a@12", "BOOKMARK @13",
                                            "DELETED a@14"}));
  ASSERT_EQ(transport_->requests.size(), 1u);
  EXPECT_EQ(transport_->requests[0].target,
            "/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=10&"
            "allowWatchBookmarks=true&timeoutSeconds=30");
  EXPECT_EQ(FindHeader(transport_->requests[0].headers, "Authorization"), "Bearer t");
  EXPECT_EQ(transport_->idle_timeouts,
            (std::vector<std::chrono::seconds>{std::chrono::seconds(90)}));
  EXPECT_EQ(client_->metrics().Count("WATCH", 200), 1u);
}

TEST_F(WatchTest, ErrorEvent410IsGoneAfterTheEventsBeforeIt) {
  Make({Chunks({Line("ADDED", "a", "11") + ErrorLine(410, "Expired"), Line("ADDED", "b", "12")})});
  Status status = Run({.resource_version = "5"});
  ASSERT_FALSE(status);
  EXPECT_TRUE(IsGone(status.error())) << status.error().message;
  EXPECT_NE(status.error().message.find("too old resource version"), std::string::npos);
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED a@11"}));
  EXPECT_EQ(transport_->chunks_delivered, 1) << "the watch stops at the ERROR event";
}

TEST_F(WatchTest, Http410IsGone) {
  Make({Respond(410, R"({"kind":"Status","code":410,"reason":"Gone","message":"gone"})")});
  Status status = Run({.resource_version = "1"});
  ASSERT_FALSE(status);
  EXPECT_TRUE(IsGone(status.error())) << status.error().message;
  EXPECT_EQ(client_->metrics().Count("WATCH", 410), 1u);
}

TEST_F(WatchTest, OtherErrorEventsMapLikeHttpErrors) {
  Make({Chunks({ErrorLine(500, "InternalError")})});
  Status status = Run({});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, Code::kUnavailable);
}

TEST_F(WatchTest, StreamEndingMidEventIsUnavailable) {
  const std::string line = Line("ADDED", "a", "11");
  Make({Chunks({Line("ADDED", "z", "10"), line.substr(0, line.size() / 2)})});
  Status status = Run({});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, Code::kUnavailable);
  EXPECT_NE(status.error().message.find("middle of an event"), std::string::npos);
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED z@10"}));
}

TEST_F(WatchTest, ConnectionLostIsUnavailable) {
  Make({Fail(Code::kAborted, "connection lost")});
  Status status = Run({});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, Code::kUnavailable);
  EXPECT_EQ(client_->metrics().Count("WATCH", 0), 1u);
}

TEST_F(WatchTest, CallbackReturningFalseEndsTheWatchCleanly) {
  Make({Chunks({Line("ADDED", "a", "1"), Line("ADDED", "b", "2"), Line("ADDED", "c", "3")})});
  Status status = Run({}, /*stop_after=*/2);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(transport_->chunks_delivered, 2);
}

TEST_F(WatchTest, GarbageLineIsAnError) {
  Make({Chunks({"<html>proxy error</html>\n"})});
  Status status = Run({});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, Code::kInternal);
}

TEST_F(WatchTest, StoppedBeforeStartSendsNothing) {
  Make({});
  std::stop_source stop;
  stop.request_stop();
  Status status = client_->Watch(
      kConfigMaps, "", {}, [](const WatchEvent&) { return true; }, stop.get_token());
  EXPECT_TRUE(status);
  EXPECT_TRUE(transport_->requests.empty());
}

TEST_F(WatchTest, NoTimeoutMeansALongIdleTimeout) {
  Make({Chunks({})});
  ASSERT_TRUE(Run({}));
  EXPECT_EQ(transport_->requests[0].target, "/api/v1/namespaces/ns/configmaps?watch=true");
  EXPECT_GT(transport_->idle_timeouts.at(0), std::chrono::minutes(60));
}

}  // namespace
}  // namespace csp::kube
