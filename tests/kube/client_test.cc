#include "csp/kube/client.h"

#include <gtest/gtest.h>

#include <thread>

#include "csp/kube/status_error.h"
#include "fakes.h"

namespace csp::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Fail;
using testing::FakeClock;
using testing::Respond;
using testing::ScriptedTransport;
using testing::Step;

const ResourceRef kConfigMaps{"", "v1", "configmaps", true};

std::string StatusBody(int code, const std::string& reason) {
  return nlohmann::json{{"kind", "Status"}, {"code", code}, {"reason", reason}, {"message", "m"}}
      .dump();
}

nlohmann::json ConfigMap(const std::string& name, const std::string& rv = "") {
  nlohmann::json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}};
  if (!rv.empty()) cm["metadata"]["resourceVersion"] = rv;
  return cm;
}

const RetryPolicy kTestRetry{
    .max_attempts = 4, .base_delay = milliseconds(100), .max_delay = milliseconds(1000)};

// A client over a scripted transport, a fake clock, by default no rate limit, and a fixed
// jitter draw of 0.5, so every delay is known: retry n sleeps 0.5 * min(1 s, 100 ms * 2^n).
class ClientTest : public ::testing::Test {
 protected:
  Client& Make(std::vector<Step> steps, ClientOptions options = {.qps = 0, .retry = kTestRetry}) {
    auto transport = std::make_unique<ScriptedTransport>(std::move(steps));
    transport_ = transport.get();
    options.clock = &clock_;
    options.uniform01 = [] { return 0.5; };
    RestConfig config{.server = "https://example.invalid", .token = "static-token"};
    client_ = std::make_unique<Client>(std::move(transport), config, std::move(options));
    return *client_;
  }
  const std::vector<HttpRequest>& requests() const { return transport_->requests; }

  FakeClock clock_;
  ScriptedTransport* transport_ = nullptr;
  std::unique_ptr<Client> client_;
};

TEST_F(ClientTest, GetRetries503WithJitteredBackoff) {
  Client& client = Make({Respond(503), Respond(503), Respond(200, ConfigMap("a").dump())});
  auto cm = client.Get(kConfigMaps, "ns", "a");
  ASSERT_TRUE(cm) << cm.error().message;
  EXPECT_EQ((*cm)["metadata"]["name"], "a");
  ASSERT_EQ(requests().size(), 3u);
  EXPECT_EQ(clock_.sleeps, (std::vector<FakeClock::Duration>{milliseconds(50), milliseconds(100)}));
  EXPECT_EQ(client.metrics().Count("GET", 503), 2u);
  EXPECT_EQ(client.metrics().Count("GET", 200), 1u);
}

TEST_F(ClientTest, GetsASubresource) {
  const ResourceRef deployments{"apps", "v1", "deployments", true};
  Client& client = Make({Respond(200, R"({"kind":"Scale","spec":{"replicas":3}})")});
  auto scale = client.Get(deployments, "shop", "web", "scale");
  ASSERT_TRUE(scale) << scale.error().message;
  EXPECT_EQ((*scale)["spec"]["replicas"], 3);
  ASSERT_EQ(requests().size(), 1u);
  EXPECT_EQ(requests()[0].target, "/apis/apps/v1/namespaces/shop/deployments/web/scale");
}

TEST_F(ClientTest, HonoursRetryAfter) {
  Client& client = Make(
      {Respond(429, StatusBody(429, "TooManyRequests"), {{"retry-after", "1"}}), Respond(200)});
  ASSERT_TRUE(client.GetPath("/version"));
  EXPECT_EQ(clock_.sleeps, (std::vector<FakeClock::Duration>{seconds(1)}));
}

TEST_F(ClientTest, GivesUpAfterMaxAttempts) {
  Client& client = Make({Respond(500, StatusBody(500, "InternalError")), Respond(500), Respond(500),
                         Respond(500, StatusBody(500, "InternalError"))});
  auto cm = client.Get(kConfigMaps, "ns", "a");
  ASSERT_FALSE(cm);
  EXPECT_EQ(cm.error().code, Code::kUnavailable);
  EXPECT_EQ(cm.error().message, "GET /api/v1/namespaces/ns/configmaps/a: 500 InternalError: m");
  EXPECT_EQ(requests().size(), 4u);
  EXPECT_EQ(clock_.sleeps.size(), 3u);
}

struct RetryCase {
  const char* name = "";
  std::vector<Step> steps = {};
  bool create = false;  // POST instead of PUT
  bool ok = false;
  Code code = Code::kOk;
  std::size_t attempts = 0;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const RetryCase& c, std::ostream* os) { *os << c.name; }

const RetryCase kRetryCases[] = {
    {"create_not_retried_on_500", {Respond(500), Respond(201)}, true, false, Code::kUnavailable, 1},
    {"create_retried_on_429", {Respond(429), Respond(201)}, true, true, Code::kOk, 2},
    {"create_retried_when_nothing_was_sent",
     {Fail(Code::kUnavailable, "refused"), Respond(201)},
     true,
     true,
     Code::kOk,
     2},
    {"create_not_retried_after_connection_lost",
     {Fail(Code::kAborted, "reset"), Respond(201)},
     true,
     false,
     Code::kUnavailable,
     1},
    {"update_retried_after_connection_lost",
     {Fail(Code::kAborted, "reset"), Respond(200)},
     false,
     true,
     Code::kOk,
     2},
    {"update_retried_on_502", {Respond(502), Respond(200)}, false, true, Code::kOk, 2},
    {"update_conflict_not_retried",
     {Respond(409, StatusBody(409, "Conflict")), Respond(200)},
     false,
     false,
     Code::kAborted,
     1},
    {"create_already_exists",
     {Respond(409, StatusBody(409, "AlreadyExists"))},
     true,
     false,
     Code::kAlreadyExists,
     1},
    {"tls_failure_not_retried",
     {Fail(Code::kUnauthenticated, "certificate verify failed"), Respond(200)},
     false,
     false,
     Code::kUnauthenticated,
     1},
    {"forbidden",
     {Respond(403, StatusBody(403, "Forbidden"))},
     false,
     false,
     Code::kPermissionDenied,
     1},
};

class ClientRetryTest : public ClientTest, public ::testing::WithParamInterface<RetryCase> {};

TEST_P(ClientRetryTest, RetriesOnlyWhatIsSafe) {
  const RetryCase& c = GetParam();
  Client& client = Make(c.steps);
  auto result = c.create ? client.Create(kConfigMaps, "ns", ConfigMap("a"))
                         : client.Update(kConfigMaps, "ns", ConfigMap("a", "7"));
  EXPECT_EQ(result.has_value(), c.ok) << (result ? "" : result.error().message);
  if (!result) {
    EXPECT_EQ(result.error().code, c.code) << result.error().message;
  }
  EXPECT_EQ(requests().size(), c.attempts);
  EXPECT_EQ(client.metrics().Total(), c.attempts);
}

INSTANTIATE_TEST_SUITE_P(Cases, ClientRetryTest, ::testing::ValuesIn(kRetryCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(ClientTest, TransportFailureNamesTheRequest) {
  Client& client = Make({Fail(Code::kUnavailable, "cannot connect to https://x: refused")},
                        {.qps = 0, .retry = {.max_attempts = 1}});
  auto cm = client.Get(kConfigMaps, "ns", "a");
  ASSERT_FALSE(cm);
  EXPECT_EQ(cm.error().code, Code::kUnavailable);
  EXPECT_EQ(cm.error().message,
            "GET /api/v1/namespaces/ns/configmaps/a: cannot connect to https://x: refused");
  EXPECT_EQ(client.metrics().Count("GET", 0), 1u);
}

TEST_F(ClientTest, RateLimitsEveryAttempt) {
  Client& client =
      Make({Respond(200), Respond(503), Respond(200)}, {.qps = 2, .burst = 1, .retry = kTestRetry});
  ASSERT_TRUE(client.GetPath("/version"));
  ASSERT_TRUE(client.GetPath("/version"));
  // Second request: 500 ms for a token. Its retry: 50 ms backoff, then 450 ms more for a token.
  EXPECT_EQ(clock_.sleeps, (std::vector<FakeClock::Duration>{milliseconds(500), milliseconds(50),
                                                             milliseconds(450)}));
}

TEST_F(ClientTest, WritesHaveTheRightShape) {
  Client& client = Make({Respond(201), Respond(200), Respond(200), Respond(200), Respond(200),
                         Respond(200), Respond(200)});
  ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("a")));
  ASSERT_TRUE(client.Update(kConfigMaps, "ns", ConfigMap("a", "5")));
  ASSERT_TRUE(client.UpdateStatus(kConfigMaps, "ns", ConfigMap("a", "6")));
  ASSERT_TRUE(client.Patch(kConfigMaps, "ns", "a", PatchType::kMerge, {{"data", {{"k", "v"}}}}));
  ASSERT_TRUE(client.Apply(kConfigMaps, "ns", ConfigMap("a"), "csp-operator", /*force=*/true));
  ASSERT_TRUE(client.Delete(kConfigMaps, "ns", "a", {.propagation_policy = "Foreground"}));
  ASSERT_TRUE(client.Delete(kConfigMaps, "ns", "b"));
  ASSERT_EQ(requests().size(), 7u);

  const auto& create = requests()[0];
  EXPECT_EQ(create.method, "POST");
  EXPECT_EQ(create.target, "/api/v1/namespaces/ns/configmaps");
  EXPECT_EQ(FindHeader(create.headers, "content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(create.body), ConfigMap("a"));
  EXPECT_EQ(FindHeader(create.headers, "Authorization"), "Bearer static-token");
  EXPECT_EQ(FindHeader(create.headers, "Accept"), "application/json");
  EXPECT_EQ(FindHeader(create.headers, "User-Agent"), "csp-operator");

  EXPECT_EQ(requests()[1].method, "PUT");
  EXPECT_EQ(requests()[1].target, "/api/v1/namespaces/ns/configmaps/a");
  EXPECT_EQ(requests()[2].target, "/api/v1/namespaces/ns/configmaps/a/status");

  EXPECT_EQ(requests()[3].method, "PATCH");
  EXPECT_EQ(FindHeader(requests()[3].headers, "Content-Type"), "application/merge-patch+json");

  const auto& apply = requests()[4];
  EXPECT_EQ(apply.method, "PATCH");
  EXPECT_EQ(apply.target,
            "/api/v1/namespaces/ns/configmaps/a?fieldManager=csp-operator&force=true");
  EXPECT_EQ(FindHeader(apply.headers, "Content-Type"), "application/apply-patch+yaml");

  EXPECT_EQ(requests()[5].method, "DELETE");
  EXPECT_EQ(nlohmann::json::parse(requests()[5].body)["propagationPolicy"], "Foreground");
  EXPECT_EQ(requests()[6].body, "") << "no options, no body";

  EXPECT_EQ(client.metrics().Count("POST", 201), 1u);
  EXPECT_EQ(client.metrics().Count("PUT", 200), 2u);
  EXPECT_EQ(client.metrics().Count("PATCH", 200), 1u);
  EXPECT_EQ(client.metrics().Count("APPLY", 200), 1u);
  EXPECT_EQ(client.metrics().Count("DELETE", 200), 2u);
}

TEST_F(ClientTest, InvalidCallsSendNothing) {
  Client& client = Make({});
  auto apply = client.Apply(kConfigMaps, "ns", ConfigMap("a"), "");
  ASSERT_FALSE(apply);
  EXPECT_EQ(apply.error().code, Code::kInvalidArgument);
  EXPECT_NE(apply.error().message.find("field manager"), std::string::npos);
  auto update = client.Update(kConfigMaps, "ns", nlohmann::json{{"metadata", {}}});
  ASSERT_FALSE(update);
  EXPECT_NE(update.error().message.find("Update configmaps: object has no metadata.name"),
            std::string::npos)
      << update.error().message;
  EXPECT_TRUE(requests().empty());
}

TEST_F(ClientTest, NonJsonResponseIsInternal) {
  Client& client = Make({Respond(200, "ok")});
  auto result = client.GetPath("/healthz");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Code::kInternal);
}

std::string ListBody(std::vector<std::string> names, const std::string& rv,
                     const std::string& next = "") {
  nlohmann::json list = {{"kind", "ConfigMapList"},
                         {"metadata", {{"resourceVersion", rv}}},
                         {"items", nlohmann::json::array()}};
  if (!next.empty()) list["metadata"]["continue"] = next;
  for (const auto& n : names) list["items"].push_back(ConfigMap(n));
  return list.dump();
}

TEST_F(ClientTest, ListReturnsOnePage) {
  Client& client = Make({Respond(200, ListBody({"a", "b"}, "100", "tok+/="))});
  auto page = client.List(kConfigMaps, "ns", {.label_selector = "app=x", .limit = 2});
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->resource_version, "100");
  EXPECT_EQ(page->continue_token, "tok+/=");
  EXPECT_EQ(requests()[0].target, "/api/v1/namespaces/ns/configmaps?labelSelector=app%3Dx&limit=2");
  EXPECT_EQ(client.metrics().Count("LIST", 200), 1u);
}

TEST_F(ClientTest, ListAllFollowsContinueTokens) {
  Client& client =
      Make({Respond(200, ListBody({"a", "b"}, "100", "t1")),
            Respond(200, ListBody({"c", "d"}, "100", "t2")), Respond(200, ListBody({"e"}, "100"))});
  auto all = client.ListAll(kConfigMaps, "", {.limit = 2, .resource_version = "0"});
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->items.size(), 5u);
  EXPECT_EQ(all->items[4]["metadata"]["name"], "e");
  EXPECT_EQ(all->resource_version, "100");
  EXPECT_EQ(all->continue_token, "");
  ASSERT_EQ(requests().size(), 3u);
  EXPECT_EQ(requests()[0].target, "/api/v1/configmaps?limit=2&resourceVersion=0");
  EXPECT_EQ(requests()[1].target, "/api/v1/configmaps?limit=2&continue=t1");
  EXPECT_EQ(requests()[2].target, "/api/v1/configmaps?limit=2&continue=t2");
}

// Fields skipped while parsing are gone from the items only: the same names elsewhere (the
// list's own metadata, inside spec, a label called "status") stay.
TEST(ParseListDroppingItemFieldsTest, DropsOnlyTheNamedItemFields) {
  const std::string text = R"({"kind":"PodList","metadata":{"resourceVersion":"5","continue":"t"},
    "status":"list-level","items":[
      {"metadata":{"name":"a","managedFields":[{"manager":"kubectl"}],"labels":{"status":"x"}},
       "spec":{"status":"kept","managedFields":1},"status":{"phase":"Running"}},
      {"metadata":{"name":"b"},"status":{}}]})";
  const nlohmann::json list =
      ParseListDroppingItemFields(text, {"status", "metadata.managedFields"});
  ASSERT_FALSE(list.is_discarded());
  EXPECT_EQ(list["metadata"]["continue"], "t");
  EXPECT_EQ(list["status"], "list-level");
  const nlohmann::json& a = list["items"][0];
  EXPECT_FALSE(a.contains("status"));
  EXPECT_FALSE(a["metadata"].contains("managedFields"));
  EXPECT_EQ(a["metadata"]["labels"]["status"], "x");
  EXPECT_EQ(a["spec"]["status"], "kept");
  EXPECT_EQ(a["spec"]["managedFields"], 1);
  EXPECT_EQ(list["items"][1], nlohmann::json({{"metadata", {{"name", "b"}}}}));
  EXPECT_TRUE(ParseListDroppingItemFields("{\"items\": [", {"status"}).is_discarded());
}

TEST_F(ClientTest, ListAllDropsItemFieldsOnEveryPage) {
  auto with_status = [](nlohmann::json list) {
    for (auto& item : list["items"]) item["status"] = {{"phase", "Running"}};
    return list.dump();
  };
  Client& client =
      Make({Respond(200, with_status(nlohmann::json::parse(ListBody({"a"}, "100", "t1")))),
            Respond(200, with_status(nlohmann::json::parse(ListBody({"b"}, "100"))))});
  auto all = client.ListAll(kConfigMaps, "", {.limit = 1, .drop_item_fields = {"status"}});
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->items.size(), 2u);
  for (const auto& item : all->items) EXPECT_FALSE(item.contains("status")) << item;
  EXPECT_EQ(all->items[1]["metadata"]["name"], "b");
}

TEST_F(ClientTest, ListAllRelistsWholeWhenTheTokenExpires) {
  Client& client = Make({Respond(200, ListBody({"a", "b"}, "100", "t1")),
                         Respond(410, StatusBody(410, "Expired")),
                         Respond(200, ListBody({"a", "b", "c"}, "250"))});
  auto all = client.ListAll(kConfigMaps, "ns");
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->items.size(), 3u) << "only the fresh list, not the stale first page";
  EXPECT_EQ(all->resource_version, "250");
  ASSERT_EQ(requests().size(), 3u);
  EXPECT_EQ(requests()[0].target, "/api/v1/namespaces/ns/configmaps?limit=500");
  EXPECT_EQ(requests()[2].target, "/api/v1/namespaces/ns/configmaps");
}

TEST_F(ClientTest, ListGoneOnFirstPageIsReturned) {
  Client& client = Make({Respond(410, StatusBody(410, "Expired"))});
  auto all = client.ListAll(kConfigMaps, "ns", {.resource_version = "5"});
  ASSERT_FALSE(all);
  EXPECT_TRUE(IsGone(all.error())) << all.error().message;
}

TEST_F(ClientTest, ConcurrentCallersShareLimiterAndMetrics) {
  constexpr int kThreads = 4, kEach = 10;
  std::vector<Step> steps;
  for (int i = 0; i < kThreads * kEach; ++i) steps.push_back(Respond(200));
  Client& client = Make(std::move(steps), {.qps = 100, .burst = 5, .retry = kTestRetry});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&client] {
      for (int i = 0; i < kEach; ++i) EXPECT_TRUE(client.GetPath("/version"));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(requests().size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(client.metrics().Count("GET", 200), static_cast<std::uint64_t>(kThreads * kEach));
  // The sixth request finds the burst spent before any time has passed, so someone waited.
  // (How many waited depends on the interleaving: fake sleeps of parallel callers add up.)
  EXPECT_GE(clock_.sleeps.size(), 1u);
}

}  // namespace
}  // namespace csp::kube
