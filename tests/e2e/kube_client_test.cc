// Contract test of csp::kube::Client over the cpprestsdk transport against the real
// kube-apiserver of the local cluster: what the unit tests fake (Status objects, paging, watch
// frames, TLS, RBAC) is checked here against the server that defines it.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "csp/kube/client.h"
#include "csp/kube/cpprest_transport.h"
#include "csp/kube/kubeconfig.h"
#include "csp/kube/status_error.h"
#include "e2e_env.h"

namespace csp::e2e {
namespace {

using kube::Client;
using kube::WatchEvent;
using kube::WatchEventType;

const kube::ResourceRef kConfigMaps{"", "v1", "configmaps", true};
constexpr char kFieldManager[] = "csp-contract-test";

// A client for a kubeconfig file; nullptr (with a test failure) when it cannot be built.
std::unique_ptr<Client> ClientFor(const std::string& kubeconfig,
                                  void (*edit)(kube::RestConfig&) = nullptr) {
  auto config = kube::LoadKubeconfig(kubeconfig);
  if (!config) {
    ADD_FAILURE() << config.error().message;
    return nullptr;
  }
  if (edit != nullptr) edit(*config);
  auto transport = kube::NewCpprestTransport(*config);
  if (!transport) {
    ADD_FAILURE() << transport.error().message;
    return nullptr;
  }
  return std::make_unique<Client>(std::move(*transport), *config);
}

nlohmann::json ConfigMap(const std::string& name, nlohmann::json data,
                         nlohmann::json labels = nlohmann::json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", std::move(labels)}}},
          {"data", std::move(data)}};
}

std::string Rv(const nlohmann::json& object) { return kube::ResourceVersionOf(object); }

class KubeClientTest : public E2ETest {
 protected:
  void SetUp() override {
    E2ETest::SetUp();
    if (HasFatalFailure()) return;
    client_ = ClientFor(Kubeconfig());
    ASSERT_NE(client_, nullptr);
  }
  Client& client() { return *client_; }

 private:
  std::unique_ptr<Client> client_;
};

TEST_F(KubeClientTest, GetsTheServerVersion) {
  auto version = client().GetPath("/version");
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(version->value("major", ""), "1") << version->dump();
  EXPECT_TRUE(version->value("gitVersion", "").starts_with("v1.")) << version->dump();
  EXPECT_EQ(client().metrics().Count("GET", 200), 1u);
}

TEST_F(KubeClientTest, ConfigMapLifecycle) {
  auto created = client().Create(kConfigMaps, ns(), ConfigMap("life", {{"a", "1"}}));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE(Rv(*created).empty());

  auto again = client().Create(kConfigMaps, ns(), ConfigMap("life", {{"a", "1"}}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::kAlreadyExists) << again.error().message;

  auto got = client().Get(kConfigMaps, ns(), "life");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ((*got)["data"]["a"], "1");

  // Update with the current resourceVersion succeeds; replaying the old one conflicts.
  nlohmann::json edited = *got;
  edited["data"]["a"] = "2";
  auto updated = client().Update(kConfigMaps, ns(), edited);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_NE(Rv(*updated), Rv(*got));
  edited["data"]["a"] = "stale";
  auto stale = client().Update(kConfigMaps, ns(), edited);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Code::kAborted) << stale.error().message;
  EXPECT_NE(stale.error().message.find("Conflict"), std::string::npos) << stale.error().message;

  auto patched = client().Patch(kConfigMaps, ns(), "life", kube::PatchType::kMerge,
                                {{"data", {{"b", "merged"}}}});
  ASSERT_TRUE(patched) << patched.error().message;
  EXPECT_EQ((*patched)["data"]["a"], "2");
  EXPECT_EQ((*patched)["data"]["b"], "merged");

  // Server-side apply: our manager owns data.c; another manager's conflicting value is refused
  // without force and taken with it.
  auto applied = client().Apply(kConfigMaps, ns(),
                                {{"apiVersion", "v1"},
                                 {"kind", "ConfigMap"},
                                 {"metadata", {{"name", "life"}}},
                                 {"data", {{"c", "applied"}}}},
                                kFieldManager);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ((*applied)["data"]["c"], "applied");
  EXPECT_EQ((*applied)["data"]["b"], "merged") << "apply leaves fields it does not own";
  const nlohmann::json rival = {{"apiVersion", "v1"},
                                {"kind", "ConfigMap"},
                                {"metadata", {{"name", "life"}}},
                                {"data", {{"c", "rival"}}}};
  auto refused = client().Apply(kConfigMaps, ns(), rival, "rival-manager");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kAborted) << refused.error().message;
  auto forced = client().Apply(kConfigMaps, ns(), rival, "rival-manager", /*force=*/true);
  ASSERT_TRUE(forced) << forced.error().message;
  EXPECT_EQ((*forced)["data"]["c"], "rival");

  auto invalid = client().Patch(kConfigMaps, ns(), "life", kube::PatchType::kMerge,
                                {{"metadata", {{"labels", {{"bad key!", "x"}}}}}});
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, Code::kInvalidArgument) << invalid.error().message;
  EXPECT_NE(invalid.error().message.find("Invalid"), std::string::npos) << invalid.error().message;

  Status deleted = client().Delete(kConfigMaps, ns(), "life");
  ASSERT_TRUE(deleted) << deleted.error().message;
  auto gone = client().Get(kConfigMaps, ns(), "life");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Code::kNotFound) << gone.error().message;
  Status twice = client().Delete(kConfigMaps, ns(), "life");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Code::kNotFound);

  EXPECT_EQ(client().metrics().Count("POST", 201), 1u);
  EXPECT_EQ(client().metrics().Count("POST", 409), 1u);
  EXPECT_EQ(client().metrics().Count("PUT", 409), 1u);
  EXPECT_EQ(client().metrics().Count("APPLY", 409), 1u);
}

TEST_F(KubeClientTest, ListPagesThroughFiveConfigMaps) {
  for (int i = 0; i < 5; ++i) {
    auto created = client().Create(kConfigMaps, ns(),
                                   ConfigMap("page-" + std::to_string(i),
                                             {{"i", std::to_string(i)}}, {{"contract", "paging"}}));
    ASSERT_TRUE(created) << created.error().message;
  }
  const kube::ListOptions options{.label_selector = "contract=paging", .limit = 2};
  auto first = client().List(kConfigMaps, ns(), options);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->items.size(), 2u);
  EXPECT_FALSE(first->continue_token.empty());

  auto all = client().ListAll(kConfigMaps, ns(), options);
  ASSERT_TRUE(all) << all.error().message;
  std::vector<std::string> names;
  for (const auto& item : all->items) names.push_back(item["metadata"]["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"page-0", "page-1", "page-2", "page-3", "page-4"}));
  EXPECT_FALSE(all->resource_version.empty());
  EXPECT_EQ(client().metrics().Count("LIST", 200), 1u + 3u) << "one page, then three pages";
}

// Runs a watch on its own thread and collects "TYPE name" per event until `last` is seen.
class Watcher {
 public:
  Watcher(Client& client, std::string ns, kube::WatchOptions options, std::string last = "",
          kube::ResourceRef resource = kConfigMaps)
      : thread_([this, &client, ns = std::move(ns), options = std::move(options),
                 last = std::move(last), resource = std::move(resource)](std::stop_token stop) {
          result_ = client.Watch(
              resource, ns, options,
              [&](const WatchEvent& e) {
                std::lock_guard lock(mu_);
                const std::string name = e.object["metadata"].value("name", "");
                seen_.push_back(std::string(kube::WatchEventTypeName(e.type)) +
                                (name.empty() ? "" : " " + name));
                if (e.type == WatchEventType::kBookmark) bookmark_rv_ = Rv(e.object);
                return last.empty() || seen_.back() != last;
              },
              stop);
        }) {}

  std::vector<std::string> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  std::string bookmark_rv() {
    std::lock_guard lock(mu_);
    return bookmark_rv_;
  }
  Status Finish() {
    thread_.join();
    return result_;
  }
  void Stop() { thread_.request_stop(); }

 private:
  std::mutex mu_;
  std::vector<std::string> seen_;
  std::string bookmark_rv_;
  Status result_;
  std::jthread thread_;  // last: starts after the members it uses exist
};

TEST_F(KubeClientTest, WatchSeesChangesInOrderFromTheListVersion) {
  auto list = client().List(kConfigMaps, ns(), {.label_selector = "contract=watch"});
  ASSERT_TRUE(list) << list.error().message;
  Watcher watcher(client(), ns(),
                  {.resource_version = list->resource_version,
                   .timeout_seconds = 120,
                   .label_selector = "contract=watch"},
                  "DELETED w");

  // Changes made after the list's version arrive in order even if the watch connects late.
  ASSERT_TRUE(
      client().Create(kConfigMaps, ns(), ConfigMap("w", {{"v", "1"}}, {{"contract", "watch"}})));
  ASSERT_TRUE(
      client().Patch(kConfigMaps, ns(), "w", kube::PatchType::kMerge, {{"data", {{"v", "2"}}}}));
  ASSERT_TRUE(client().Delete(kConfigMaps, ns(), "w"));

  Status status = watcher.Finish();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(watcher.seen(), (std::vector<std::string>{"ADDED w", "MODIFIED w", "DELETED w"}));
  EXPECT_EQ(client().metrics().Count("WATCH", 200), 1u);
}

TEST_F(KubeClientTest, WatchSendsBookmarksWhenAsked) {
  auto list = client().List(kConfigMaps, ns());
  ASSERT_TRUE(list) << list.error().message;
  // The server sends a bookmark shortly before a watch's deadline, so a short watch gets one.
  // Its timer ticks once a second and a loaded machine can miss the window: a few tries.
  std::vector<std::string> seen;
  std::string bookmark_rv;
  for (int attempt = 0; attempt < 3 && bookmark_rv.empty(); ++attempt) {
    Watcher watcher(client(), ns(),
                    {.resource_version = list->resource_version,
                     .allow_bookmarks = true,
                     .timeout_seconds = 10});
    Status status = watcher.Finish();
    ASSERT_TRUE(status) << status.error().message;
    seen = watcher.seen();
    bookmark_rv = watcher.bookmark_rv();
  }
  EXPECT_NE(std::find(seen.begin(), seen.end(), "BOOKMARK"), seen.end())
      << "events: " << ::testing::PrintToString(seen);
  EXPECT_FALSE(bookmark_rv.empty());
}

// Events are the one built-in resource the apiserver serves without its watch cache, so reads
// of old versions reach etcd and expire with compaction (cached resources would be answered
// from the cache's own window instead).
const kube::ResourceRef kEvents{"", "v1", "events", true};

nlohmann::json Event(const std::string& name, const std::string& ns) {
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}}},
          {"involvedObject", {{"kind", "ConfigMap"}, {"name", "x"}, {"namespace", ns}}},
          {"reason", "ContractTest"},
          {"message", "m"},
          {"type", "Normal"}};
}

TEST_F(KubeClientTest, CompactedVersionsAreGoneForListAndWatch) {
  ASSERT_TRUE(client().Create(kEvents, ns(), Event("one", ns())));
  ASSERT_TRUE(client().Create(kEvents, ns(), Event("two", ns())));
  auto page = client().List(kEvents, ns(), {.limit = 1});
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_FALSE(page->continue_token.empty());
  // Move two revisions past the page's version and compact up to there: a watch from the
  // page's version starts one revision after it, so that one must be gone too.
  ASSERT_TRUE(client().Create(kConfigMaps, ns(), ConfigMap("later-1", {{"v", "1"}})));
  auto later = client().Create(kConfigMaps, ns(), ConfigMap("later-2", {{"v", "1"}}));
  ASSERT_TRUE(later) << later.error().message;
  Status compacted = CompactEtcd(Rv(*later));
  ASSERT_TRUE(compacted) << compacted.error().message;

  auto rest = client().List(kEvents, ns(), {.limit = 1, .continue_token = page->continue_token});
  ASSERT_FALSE(rest) << "the continue token outlived compaction";
  EXPECT_TRUE(kube::IsGone(rest.error())) << rest.error().message;

  auto fresh = client().ListAll(kEvents, ns(), {.limit = 1});
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->items.size(), 2u);

  // An informer that listed at page->resource_version and now watches from it must relist.
  Watcher watcher(client(), ns(),
                  {.resource_version = page->resource_version, .timeout_seconds = 30}, "", kEvents);
  Status status = watcher.Finish();
  ASSERT_FALSE(status) << "events: " << ::testing::PrintToString(watcher.seen());
  EXPECT_TRUE(kube::IsGone(status.error())) << status.error().message;
  EXPECT_TRUE(watcher.seen().empty());
}

TEST_F(KubeClientTest, StoppingAWatchClosesIt) {
  // No timeoutSeconds: only the stop request can end this watch before the test times out.
  Watcher watcher(client(), ns(), {});
  ASSERT_TRUE(client().Create(kConfigMaps, ns(), ConfigMap("stop", {{"v", "1"}})));
  EXPECT_TRUE(Eventually(
      [&] {
        const auto seen = watcher.seen();
        return std::find(seen.begin(), seen.end(), "ADDED stop") != seen.end();
      },
      std::chrono::seconds(30)))
      << "events: " << ::testing::PrintToString(watcher.seen());
  watcher.Stop();
  Status status = watcher.Finish();
  EXPECT_TRUE(status) << status.error().message;
  EXPECT_EQ(client().metrics().Count("WATCH", 200), 1u);
}

TEST_F(KubeClientTest, NobodyIsForbidden) {
  auto nobody = ClientFor(KubeconfigFor("nobody"));
  ASSERT_NE(nobody, nullptr);
  auto list = nobody->List(kConfigMaps, ns());
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Code::kPermissionDenied) << list.error().message;
  EXPECT_NE(list.error().message.find("\"nobody\""), std::string::npos) << list.error().message;
}

TEST_F(KubeClientTest, BadTokenIsUnauthenticated) {
  auto intruder =
      ClientFor(KubeconfigFor("nobody"), [](kube::RestConfig& c) { c.token = "not-a-token"; });
  ASSERT_NE(intruder, nullptr);
  auto list = intruder->List(kConfigMaps, ns());
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Code::kUnauthenticated) << list.error().message;
}

TEST_F(KubeClientTest, UntrustedServerCertificateIsAClearTlsError) {
  // Trust only the system roots, which did not sign the local cluster's certificate.
  auto wrong_ca = ClientFor(Kubeconfig(), [](kube::RestConfig& c) {
    std::ifstream in("/etc/ssl/certs/ca-certificates.crt");
    c.ca_pem.assign(std::istreambuf_iterator<char>(in), {});
  });
  ASSERT_NE(wrong_ca, nullptr);
  auto version = wrong_ca->GetPath("/version");
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().code, Code::kUnauthenticated) << version.error().message;
  EXPECT_NE(version.error().message.find("certificate verify failed"), std::string::npos)
      << version.error().message;
  EXPECT_EQ(wrong_ca->metrics().Count("GET", 0), 1u) << "a TLS failure is not retried";
}

}  // namespace
}  // namespace csp::e2e
