// Informer over a scripted API server: list + watch, bookmarks, relist diff after 410 Gone,
// reconnects, transform. Each test scripts the exchanges, runs the informer on its thread until
// it blocks in a watch past the script, then checks the cache, the handler calls and requests.
#include "csp/kube/informer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "blocking_transport.h"
#include "csp/kube/client.h"
#include "csp/kube/status_error.h"
#include "fakes.h"

namespace csp::kube {
namespace {

using std::chrono::milliseconds;
using testing::BlockingTransport;
using testing::Chunks;
using testing::Fail;
using testing::FakeClock;
using testing::Respond;
using testing::Step;

const ResourceRef kConfigMaps{"", "v1", "configmaps", true};

nlohmann::json ConfigMap(const std::string& name, const std::string& rv, const std::string& v) {
  return {{"metadata",
           {{"name", name},
            {"namespace", "ns"},
            {"resourceVersion", rv},
            {"managedFields", nlohmann::json::array({{{"manager", "kubectl"}}})}}},
          {"data", {{"v", v}}}};
}

Step ListPage(std::vector<nlohmann::json> items, const std::string& rv,
              const std::string& continue_token = "") {
  nlohmann::json metadata = {{"resourceVersion", rv}};
  if (!continue_token.empty()) metadata["continue"] = continue_token;
  return Respond(
      200,
      nlohmann::json{{"kind", "ConfigMapList"}, {"metadata", metadata}, {"items", items}}.dump());
}

std::string Line(const char* type, const nlohmann::json& object) {
  return nlohmann::json{{"type", type}, {"object", object}}.dump() + "\n";
}

std::string Bookmark(const std::string& rv) {
  return Line("BOOKMARK", {{"kind", "ConfigMap"}, {"metadata", {{"resourceVersion", rv}}}});
}

const char kGoneStatus[] =
    R"({"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"})";

// What the cache keeps per ConfigMap: only its data.v and a count of transforms.
struct Compact {
  std::string v;
};

class InformerTest : public ::testing::Test {
 protected:
  // Runs an informer against `steps` until it blocks in a watch past them.
  void Start(std::vector<Step> steps, InformerOptions options = {}) {
    auto transport = std::make_unique<BlockingTransport>(std::move(steps));
    transport_ = transport.get();
    client_ = std::make_unique<Client>(
        std::move(transport), RestConfig{},
        ClientOptions{.qps = 0, .retry = {.max_attempts = 1}, .clock = &clock_});
    options.resource = kConfigMaps;
    options.ns = "ns";
    options.clock = &clock_;
    options.uniform01 = [] { return 0.5; };
    options.on_error = [this](const Error& e) { errors_.push_back(e); };
    informer_ = std::make_unique<Informer<Compact>>(
        *client_, options, [this](const nlohmann::json& object) {
          ++transforms_;
          requests_at_transform_.push_back(transport_->requests().size());
          return Compact{object["data"].value("v", "")};
        });
    informer_->AddHandlers(
        {.on_add = [this](const std::string& key,
                          const Compact& value) { log_.push_back("add " + key + " " + value.v); },
         .on_update =
             [this](const std::string& key, const Compact& old_value, const Compact& new_value) {
               log_.push_back("update " + key + " " + old_value.v + "->" + new_value.v);
             },
         .on_delete =
             [this](const std::string& key, const Compact& last) {
               log_.push_back("delete " + key + " " + last.v);
             }});
    thread_ = std::jthread([this](std::stop_token stop) { informer_->Run(stop); });
    ASSERT_TRUE(transport_->WaitIdle()) << "the informer never came to rest in a watch";
  }

  void TearDown() override {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
  }

  std::vector<std::string> Targets() {
    std::vector<std::string> targets;
    for (const auto& request : transport_->requests()) targets.push_back(request.target);
    return targets;
  }

  std::string Value(const std::string& key) {
    auto value = informer_->Get(key);
    return value ? value->v : "<absent>";
  }

  FakeClock clock_;
  BlockingTransport* transport_ = nullptr;
  std::unique_ptr<Client> client_;
  std::unique_ptr<Informer<Compact>> informer_;
  // Written on the informer's thread, read after WaitIdle (which orders them).
  std::vector<std::string> log_;
  std::vector<Error> errors_;
  int transforms_ = 0;
  std::vector<std::size_t> requests_at_transform_;  // requests made when each transform ran
  std::jthread thread_;
};

std::string WatchTarget(const std::string& rv) {
  // QueryString keeps the parameter order of Client::Watch: watch, resourceVersion, ...
  return "/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=" + rv +
         "&allowWatchBookmarks=true&timeoutSeconds=450";
}

TEST_F(InformerTest, ListsPagesThenAppliesWatchEventsInOrder) {
  Start({ListPage({ConfigMap("a", "1", "a1"), ConfigMap("b", "2", "b1")}, "10", "next"),
         ListPage({ConfigMap("c", "3", "c1")}, "10"),
         Chunks({Line("ADDED", ConfigMap("d", "11", "d1")),
                 Line("MODIFIED", ConfigMap("a", "12", "a2")),
                 Line("DELETED", ConfigMap("b", "13", "b1"))}),
         // The server ended that watch (its timeoutSeconds): the next starts at 13.
         Chunks({Line("MODIFIED", ConfigMap("d", "14", "d2"))})},
        {.page_size = 2});

  EXPECT_TRUE(informer_->HasSynced());
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/a a1", "add ns/b b1", "add ns/c c1",
                                            "add ns/d d1", "update ns/a a1->a2", "delete ns/b b1",
                                            "update ns/d d1->d2"}));
  EXPECT_EQ(informer_->Keys(), (std::vector<std::string>{"ns/a", "ns/c", "ns/d"}));
  EXPECT_EQ(Value("ns/a"), "a2");
  EXPECT_EQ(Value("ns/b"), "<absent>");
  EXPECT_EQ(Value("ns/d"), "d2");
  EXPECT_EQ(informer_->ListNamespace("ns").size(), 3u);
  EXPECT_TRUE(informer_->ListNamespace("other").empty());
  EXPECT_EQ(informer_->LastResourceVersion(), "14");
  EXPECT_EQ(Targets(),
            (std::vector<std::string>{"/api/v1/namespaces/ns/configmaps?limit=2",
                                      "/api/v1/namespaces/ns/configmaps?limit=2&continue=next",
                                      WatchTarget("10"), WatchTarget("13"), WatchTarget("14")}));
  EXPECT_TRUE(clock_.sleeps.empty()) << "a watch that ended normally restarts at once";
  EXPECT_TRUE(errors_.empty());
  const InformerStats stats = informer_->Stats();
  EXPECT_EQ(stats.lists, 1u);
  EXPECT_EQ(stats.relists, 0u);
  EXPECT_EQ(stats.watches, 3u);
  EXPECT_EQ(stats.watch_restarts, 2u);
  EXPECT_EQ(stats.events, 4u);
}

// The list is never held whole: each page is transformed before the next is asked for.
TEST_F(InformerTest, TransformsEachPageBeforeAskingForTheNext) {
  Start({ListPage({ConfigMap("a", "1", "a1"), ConfigMap("b", "2", "b1")}, "10", "next"),
         ListPage({ConfigMap("c", "3", "c1")}, "10")},
        {.page_size = 2});
  EXPECT_EQ(requests_at_transform_, (std::vector<std::size_t>{1, 1, 2}));
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/a a1", "add ns/b b1", "add ns/c c1"}));
}

// A continue token that expires mid-list: the list starts over in one request, and what the
// first pages brought is dropped (a, deleted meanwhile, never reaches the cache).
TEST_F(InformerTest, ExpiredContinueTokenKeepsOnlyTheFreshList) {
  Start({ListPage({ConfigMap("a", "1", "a1"), ConfigMap("b", "2", "b1")}, "10", "t1"),
         Respond(410, kGoneStatus),
         ListPage({ConfigMap("b", "5", "b2"), ConfigMap("c", "6", "c1")}, "20")},
        {.page_size = 2});
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/b b2", "add ns/c c1"}));
  EXPECT_EQ(informer_->Keys(), (std::vector<std::string>{"ns/b", "ns/c"}));
  EXPECT_EQ(informer_->LastResourceVersion(), "20");
  EXPECT_EQ(Targets().at(2), "/api/v1/namespaces/ns/configmaps");
}

// A page that fails mid-list: the next attempt lists from the start, and the items of the
// failed attempt are neither kept nor announced twice.
TEST_F(InformerTest, ListFailingMidWayStartsOverCleanly) {
  Start({ListPage({ConfigMap("a", "1", "a1")}, "10", "next"),
         Fail(Code::kUnavailable, "connection reset"),
         ListPage({ConfigMap("a", "1", "a1"), ConfigMap("c", "3", "c1")}, "12")},
        {.page_size = 1});
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/a a1", "add ns/c c1"}));
  EXPECT_EQ(informer_->Keys(), (std::vector<std::string>{"ns/a", "ns/c"}));
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(Targets().at(2), "/api/v1/namespaces/ns/configmaps?limit=1");
  EXPECT_EQ(informer_->Stats().lists, 1u);
}

TEST_F(InformerTest, BookmarkMovesTheResourceVersionOnly) {
  Start({ListPage({ConfigMap("a", "1", "a1")}, "10"), Chunks({Bookmark("20")})});
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/a a1"}));
  EXPECT_EQ(Targets().back(), WatchTarget("20"));
  EXPECT_EQ(informer_->Stats().events, 0u);
  EXPECT_TRUE(clock_.sleeps.empty()) << "a bookmark counts as progress";
}

TEST_F(InformerTest, EventWithAnUnchangedVersionIsIgnored) {
  // A watch may replay the object the list already returned.
  Start({ListPage({ConfigMap("a", "5", "a1")}, "10"),
         Chunks({Line("ADDED", ConfigMap("a", "5", "a1"))})});
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/a a1"}));
  EXPECT_EQ(transforms_, 1);
}

TEST_F(InformerTest, DeleteOfAnUnknownKeyIsIgnored) {
  Start({ListPage({}, "10"), Chunks({Line("DELETED", ConfigMap("ghost", "11", "x"))})});
  EXPECT_TRUE(log_.empty());
  EXPECT_EQ(informer_->Size(), 0u);
}

struct GoneCase {
  const char* name;
  Step gone;  // how the watch reports 410
};

class InformerGoneTest : public InformerTest, public ::testing::WithParamInterface<GoneCase> {};

TEST_P(InformerGoneTest, RelistsAtOnceAndEmitsTheDifference) {
  Start({ListPage({ConfigMap("same", "1", "s"), ConfigMap("changed", "2", "c1"),
                   ConfigMap("vanished", "3", "v")},
                  "10"),
         GetParam().gone,
         ListPage({ConfigMap("changed", "5", "c2"), ConfigMap("same", "1", "s"),
                   ConfigMap("new", "6", "n")},
                  "30")});

  EXPECT_EQ(log_, (std::vector<std::string>{
                      "add ns/same s", "add ns/changed c1", "add ns/vanished v",
                      // the difference, nothing for "same":
                      "update ns/changed c1->c2", "add ns/new n", "delete ns/vanished v"}));
  EXPECT_EQ(informer_->Keys(), (std::vector<std::string>{"ns/changed", "ns/new", "ns/same"}));
  EXPECT_EQ(Value("ns/changed"), "c2");
  EXPECT_EQ(transforms_, 5) << "an object whose resourceVersion did not change is reused";
  EXPECT_EQ(Targets(), (std::vector<std::string>{
                           "/api/v1/namespaces/ns/configmaps?limit=500", WatchTarget("10"),
                           "/api/v1/namespaces/ns/configmaps?limit=500", WatchTarget("30")}));
  EXPECT_TRUE(clock_.sleeps.empty()) << "410 relists without a backoff";
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_TRUE(IsGone(errors_[0])) << errors_[0].message;
  const InformerStats stats = informer_->Stats();
  EXPECT_EQ(stats.lists, 2u);
  EXPECT_EQ(stats.relists, 1u);
  EXPECT_EQ(stats.errors, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, InformerGoneTest,
    ::testing::Values(GoneCase{"http_status", Respond(410, kGoneStatus)},
                      GoneCase{
                          "error_event",
                          Chunks({nlohmann::json{{"type", "ERROR"},
                                                 {"object", nlohmann::json::parse(kGoneStatus)}}
                                      .dump() +
                                  "\n"})}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(InformerTest, TornStreamReconnectsFromTheLastVersionAfterABackoff) {
  const std::string torn = Line("MODIFIED", ConfigMap("a", "12", "a3"));
  Start({ListPage({ConfigMap("a", "1", "a1")}, "10"),
         Chunks({Line("MODIFIED", ConfigMap("a", "11", "a2")), torn.substr(0, torn.size() / 2)}),
         Fail(Code::kAborted, "connection reset"),
         Chunks({Line("MODIFIED", ConfigMap("a", "12", "a3"))})});

  EXPECT_EQ(log_,
            (std::vector<std::string>{"add ns/a a1", "update ns/a a1->a2", "update ns/a a2->a3"}));
  // No relist: each watch resumes from the last event it received.
  EXPECT_EQ(Targets(), (std::vector<std::string>{"/api/v1/namespaces/ns/configmaps?limit=500",
                                                 WatchTarget("10"), WatchTarget("11"),
                                                 WatchTarget("11"), WatchTarget("12")}));
  ASSERT_EQ(errors_.size(), 2u);
  EXPECT_EQ(errors_[0].code, Code::kUnavailable) << errors_[0].message;
  EXPECT_NE(errors_[0].message.find("middle of an event"), std::string::npos);
  EXPECT_EQ(errors_[1].code, Code::kUnavailable) << errors_[1].message;
  // Full jitter with a draw of 0.5: half of 500 ms after the torn stream (which had delivered
  // an event, so the count restarted), then half of 1000 ms after the second failure in a row.
  EXPECT_EQ(clock_.sleeps, (std::vector<Clock::Duration>{milliseconds(250), milliseconds(500)}));
  EXPECT_EQ(informer_->Stats().relists, 0u);
  EXPECT_EQ(informer_->Stats().watch_restarts, 3u);
}

TEST_F(InformerTest, WatchEndingWithNothingBacksOffBeforeTheNext) {
  Start({ListPage({}, "10"), Chunks({}), Chunks({})});
  EXPECT_EQ(Targets(),
            (std::vector<std::string>{"/api/v1/namespaces/ns/configmaps?limit=500",
                                      WatchTarget("10"), WatchTarget("10"), WatchTarget("10")}));
  EXPECT_EQ(clock_.sleeps, (std::vector<Clock::Duration>{milliseconds(250), milliseconds(500)}));
  EXPECT_TRUE(errors_.empty());
}

TEST_F(InformerTest, FailedListIsRetriedAfterABackoffBeforeSyncing) {
  Start({Fail(Code::kUnavailable, "connection refused"),
         Respond(403, R"({"kind":"Status","code":403,"reason":"Forbidden","message":"no"})"),
         ListPage({ConfigMap("a", "1", "a1")}, "10")});
  EXPECT_TRUE(informer_->HasSynced());
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/a a1"}));
  ASSERT_EQ(errors_.size(), 2u);
  EXPECT_EQ(errors_[0].code, Code::kUnavailable);
  EXPECT_EQ(errors_[1].code, Code::kPermissionDenied);
  EXPECT_EQ(clock_.sleeps, (std::vector<Clock::Duration>{milliseconds(250), milliseconds(500)}));
  EXPECT_EQ(informer_->Stats().lists, 1u);
}

TEST_F(InformerTest, SelectorsGoToListAndWatch) {
  Start({ListPage({}, "10")}, {.label_selector = "app=web", .field_selector = "metadata.name=x"});
  const auto targets = Targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0],
            "/api/v1/namespaces/ns/configmaps?labelSelector=app%3Dweb&"
            "fieldSelector=metadata.name%3Dx&limit=500");
  EXPECT_EQ(targets[1],
            "/api/v1/namespaces/ns/configmaps?watch=true&resourceVersion=10&"
            "allowWatchBookmarks=true&timeoutSeconds=450&labelSelector=app%3Dweb&"
            "fieldSelector=metadata.name%3Dx");
}

// ---- Streaming lists (InformerOptions::streaming_list) ----

std::string InitialEventsEnd(const std::string& rv) {
  return Line(
      "BOOKMARK",
      {{"kind", "ConfigMap"},
       {"metadata",
        {{"resourceVersion", rv}, {"annotations", {{"k8s.io/initial-events-end", "true"}}}}}});
}

const char kStreamTarget[] =
    "/api/v1/namespaces/ns/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=450&"
    "sendInitialEvents=true&resourceVersionMatch=NotOlderThan";

TEST_F(InformerTest, StreamingListSyncsAtTheEndBookmarkAndWatchesOnTheSameStream) {
  Start({Chunks({Line("ADDED", ConfigMap("a", "1", "a1")), Bookmark("5"),
                 Line("ADDED", ConfigMap("b", "2", "b1")), InitialEventsEnd("10"),
                 Line("MODIFIED", ConfigMap("a", "11", "a2"))}),
         Chunks({Line("DELETED", ConfigMap("b", "12", "b1"))})},
        {.streaming_list = true});
  EXPECT_TRUE(informer_->HasSynced());
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/a a1", "add ns/b b1", "update ns/a a1->a2",
                                            "delete ns/b b1"}));
  EXPECT_EQ(informer_->Keys(), (std::vector<std::string>{"ns/a"}));
  // After the stream ended, a plain watch from the last event: no second list.
  EXPECT_EQ(Targets(),
            (std::vector<std::string>{kStreamTarget, WatchTarget("11"), WatchTarget("12")}));
  const InformerStats stats = informer_->Stats();
  EXPECT_EQ(stats.lists, 1u);
  EXPECT_EQ(stats.events, 2u) << "the initial ADDED events are the list, not events";
  EXPECT_TRUE(errors_.empty());
}

// Items without the end bookmark are no list: nothing reaches the cache, no sync, and the next
// attempt streams from the start again.
TEST_F(InformerTest, StreamingListEndingBeforeItsEndBookmarkStartsOver) {
  Start({Chunks(
            {Line("ADDED", ConfigMap("a", "1", "a1")), Line("ADDED", ConfigMap("b", "2", "b1"))})},
        {.streaming_list = true});
  EXPECT_FALSE(informer_->HasSynced());
  EXPECT_EQ(informer_->Size(), 0u);
  EXPECT_TRUE(log_.empty());
  EXPECT_EQ(Targets(), (std::vector<std::string>{kStreamTarget, kStreamTarget}));
  EXPECT_EQ(informer_->Stats().lists, 0u);
}

// A server without the WatchList feature answers 422: LIST pages from then on, at once.
TEST_F(InformerTest, StreamingListRefusedFallsBackToPagedLists) {
  Start({Respond(422, R"({"kind":"Status","code":422,"reason":"Invalid",)"
                      R"("message":"sendInitialEvents is forbidden"})"),
         ListPage({ConfigMap("a", "1", "a1")}, "10"), Respond(410, kGoneStatus),
         ListPage({ConfigMap("a", "1", "a1")}, "20")},
        {.streaming_list = true});
  EXPECT_TRUE(informer_->HasSynced());
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/a a1"}));
  EXPECT_EQ(Targets(),
            (std::vector<std::string>{
                kStreamTarget, "/api/v1/namespaces/ns/configmaps?limit=500", WatchTarget("10"),
                "/api/v1/namespaces/ns/configmaps?limit=500", WatchTarget("20")}));
  EXPECT_TRUE(clock_.sleeps.empty());
  ASSERT_EQ(errors_.size(), 2u);
  EXPECT_EQ(errors_[0].code, Code::kInvalidArgument);
}

// 410 Gone on the watch after a streaming list: streamed again, and the cache gets the
// difference.
TEST_F(InformerTest, StreamingListAfterGoneEmitsTheDifference) {
  Start({Chunks({Line("ADDED", ConfigMap("a", "1", "a1")), Line("ADDED", ConfigMap("b", "2", "b1")),
                 InitialEventsEnd("10")}),
         Respond(410, kGoneStatus),
         Chunks({Line("ADDED", ConfigMap("a", "5", "a2")), InitialEventsEnd("30")})},
        {.streaming_list = true});
  EXPECT_EQ(log_, (std::vector<std::string>{"add ns/a a1", "add ns/b b1", "update ns/a a1->a2",
                                            "delete ns/b b1"}));
  EXPECT_EQ(Targets(), (std::vector<std::string>{kStreamTarget, WatchTarget("10"), kStreamTarget,
                                                 WatchTarget("30")}));
  EXPECT_EQ(informer_->Stats().relists, 1u);
}

TEST_F(InformerTest, SnapshotIsAConsistentCopy) {
  Start({ListPage({ConfigMap("a", "1", "a1"), ConfigMap("b", "2", "b1")}, "10")});
  const auto snapshot = informer_->Snapshot();
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot.at("ns/a")->v, "a1");
  EXPECT_EQ(snapshot.at("ns/b")->v, "b1");
  EXPECT_EQ(informer_->List().size(), 2u);
}

TEST(InformerJsonTest, WithoutATransformKeepsWholeObjects) {
  FakeClock clock;
  auto transport = std::make_unique<BlockingTransport>(
      std::vector<Step>{ListPage({ConfigMap("a", "1", "a1")}, "10")});
  BlockingTransport* raw = transport.get();
  Client client(std::move(transport), RestConfig{}, ClientOptions{.qps = 0, .clock = &clock});
  Informer<nlohmann::json> informer(client, {.resource = kConfigMaps, .ns = "ns", .clock = &clock});
  std::jthread thread([&](std::stop_token stop) { informer.Run(stop); });
  ASSERT_TRUE(raw->WaitIdle());
  ASSERT_TRUE(informer.WaitForSyncFor(milliseconds(0)));
  auto a = informer.Get("ns/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a, ConfigMap("a", "1", "a1"));
}

TEST(InformerStopTest, StopBeforeSyncEndsWaitForSync) {
  std::stop_source stop;
  FakeClock clock;
  Client client(std::make_unique<BlockingTransport>(std::vector<Step>{}), RestConfig{},
                ClientOptions{.qps = 0, .clock = &clock});
  Informer<nlohmann::json> informer(client, {.resource = kConfigMaps});
  stop.request_stop();
  EXPECT_FALSE(informer.WaitForSync(stop.get_token()));
  EXPECT_FALSE(informer.HasSynced());
}

}  // namespace
}  // namespace csp::kube
