// Contract test of csp::kube::Informer against the real kube-apiserver: initial sync, events in
// order, watches the server ends, a watch connection torn mid-way, and a relist after etcd
// compaction expired the informer's resourceVersion. Each test runs twice: with LIST pages and
// with streaming lists (InformerOptions::streaming_list, which Kubernetes 1.36 serves by
// default, for cached ConfigMaps and uncached Events alike).
//
// A small HttpTransport wrapper lets the test tear the informer's watch connection and hold
// back its next one, so that changes happen while the informer is disconnected; the server
// and its answers (events, 410 Gone) are real.
#include "csp/kube/informer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
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

using namespace std::chrono_literals;

const kube::ResourceRef kConfigMaps{"", "v1", "configmaps", true};
// Served without the apiserver's watch cache, so an old resourceVersion expires with etcd
// compaction (a cached resource answers from its cache's window instead).
const kube::ResourceRef kEvents{"", "v1", "events", true};

// Forwards to the real transport; Tear() breaks the open watch connections as a network
// failure would, and while Hold() is in force new watches wait before connecting.
class TearableTransport final : public kube::HttpTransport {
 public:
  explicit TearableTransport(std::unique_ptr<kube::HttpTransport> inner)
      : inner_(std::move(inner)) {}

  Result<kube::HttpResponse> Send(const kube::HttpRequest& request) override {
    return inner_->Send(request);
  }

  Result<kube::HttpResponse> Stream(const kube::HttpRequest& request,
                                    std::chrono::seconds idle_timeout,
                                    const kube::ChunkCallback& on_chunk,
                                    std::stop_token stop) override {
    auto connection = std::make_shared<Connection>();
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.notify_all();
      cv_.wait(lock, stop, [this] { return !held_; });
      --waiting_;
      if (stop.stop_requested()) return Error{Code::kAborted, "stopped"};
      ++streams_;
      open_.insert(connection);
    }
    std::stop_callback forward(stop, [connection] { connection->source.request_stop(); });
    auto outcome = inner_->Stream(request, idle_timeout, on_chunk, connection->source.get_token());
    std::lock_guard lock(mu_);
    open_.erase(connection);
    if (connection->torn) return Error{Code::kAborted, "connection torn by the test"};
    return outcome;
  }

  void Tear() {
    std::lock_guard lock(mu_);
    for (const auto& connection : open_) {
      connection->torn = true;
      connection->source.request_stop();
    }
  }
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    held_ = false;
    cv_.notify_all();
  }
  // Blocks until a watch is waiting in Hold (real time, as a guard against a hung test).
  bool WaitForHeldWatch(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return waiting_ > 0; });
  }
  int streams() {
    std::lock_guard lock(mu_);
    return streams_;
  }

 private:
  struct Connection {
    std::stop_source source;
    bool torn = false;  // guarded by mu_
  };

  std::unique_ptr<kube::HttpTransport> inner_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool held_ = false;
  int waiting_ = 0;
  int streams_ = 0;
  std::set<std::shared_ptr<Connection>> open_;
};

// What the informer caches per object: its resourceVersion and one field.
struct Compact {
  std::string rv;
  std::string value;
};

Compact FromConfigMap(const nlohmann::json& object) {
  return {kube::ResourceVersionOf(object),
          object.contains("data") ? object["data"].value("v", "") : ""};
}

Compact FromEvent(const nlohmann::json& object) {
  return {kube::ResourceVersionOf(object), object.value("message", "")};
}

nlohmann::json ConfigMap(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", {{"contract", "informer"}}}}},
          {"data", {{"v", value}}}};
}

nlohmann::json Event(const std::string& name, const std::string& ns, const std::string& message) {
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}, {"labels", {{"contract", "informer"}}}}},
          {"involvedObject", {{"kind", "ConfigMap"}, {"name", "x"}, {"namespace", ns}}},
          {"reason", "ContractTest"},
          {"message", message},
          {"type", "Normal"}};
}

class InformerContractTest : public E2ETest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    E2ETest::SetUp();
    if (HasFatalFailure()) return;
    auto config = kube::LoadKubeconfig(Kubeconfig());
    ASSERT_TRUE(config) << config.error().message;
    auto transport = kube::NewCpprestTransport(*config);
    ASSERT_TRUE(transport) << transport.error().message;
    // The informer's client goes through the tearable transport; the test's own does not.
    auto tearable = std::make_unique<TearableTransport>(std::move(*transport));
    tearable_ = tearable.get();
    informer_client_ = std::make_unique<kube::Client>(std::move(tearable), *config);
    auto direct = kube::NewCpprestTransport(*config);
    ASSERT_TRUE(direct) << direct.error().message;
    client_ = std::make_unique<kube::Client>(std::move(*direct), *config);
  }

  void TearDown() override {
    thread_.request_stop();
    if (tearable_ != nullptr) tearable_->Release();
    if (thread_.joinable()) thread_.join();
    E2ETest::TearDown();
  }

  // Starts an informer over `resource` in the test namespace (objects labelled
  // contract=informer) and waits for its first list.
  void StartInformer(const kube::ResourceRef& resource, Compact (*transform)(const nlohmann::json&),
                     std::chrono::seconds min_watch_timeout = 300s) {
    informer_ = std::make_unique<kube::Informer<Compact>>(
        *informer_client_,
        kube::InformerOptions{.resource = resource,
                              .ns = ns(),
                              .label_selector = "contract=informer",
                              .page_size = 1,  // every object is its own page
                              .min_watch_timeout = min_watch_timeout,
                              .streaming_list = GetParam(),
                              .backoff_base = 100ms,
                              .backoff_max = 1000ms,
                              .on_error =
                                  [this](const Error& e) {
                                    std::lock_guard lock(mu_);
                                    errors_.push_back(e);
                                  }},
        transform);
    informer_->AddHandlers(
        {.on_add = [this](const std::string& key,
                          const Compact& v) { Log("add " + Name(key) + " " + v.value); },
         .on_update =
             [this](const std::string& key, const Compact& old_value, const Compact& new_value) {
               Log("update " + Name(key) + " " + old_value.value + "->" + new_value.value);
             },
         .on_delete = [this](
                          const std::string& key,
                          const Compact& last) { Log("delete " + Name(key) + " " + last.value); }});
    thread_ = std::jthread([this](std::stop_token stop) { informer_->Run(stop); });
    ASSERT_TRUE(informer_->WaitForSyncFor(60s)) << "errors: " << Errors();
  }

  static std::string Name(const std::string& key) { return kube::SplitObjectKey(key).second; }

  void Log(std::string line) {
    std::lock_guard lock(mu_);
    log_.push_back(std::move(line));
  }
  std::vector<std::string> log() {
    std::lock_guard lock(mu_);
    return log_;
  }
  std::string Errors() {
    std::lock_guard lock(mu_);
    std::string all;
    for (const auto& e : errors_) all += e.message + "\n";
    return all;
  }
  bool AnyGone() {
    std::lock_guard lock(mu_);
    return std::any_of(errors_.begin(), errors_.end(),
                       [](const Error& e) { return kube::IsGone(e); });
  }

  // Waits until the handler log has `n` lines; returns it.
  std::vector<std::string> WaitForLog(std::size_t n) {
    Eventually([&] { return log().size() >= n; }, 60s);
    return log();
  }

  TearableTransport* tearable_ = nullptr;
  std::unique_ptr<kube::Client> informer_client_;
  std::unique_ptr<kube::Client> client_;  // the test's own changes
  std::unique_ptr<kube::Informer<Compact>> informer_;

 private:
  std::mutex mu_;
  std::vector<std::string> log_;
  std::vector<Error> errors_;
  std::jthread thread_;
};

TEST_P(InformerContractTest, SyncsExistingObjectsThenSeesChangesInOrder) {
  ASSERT_TRUE(client_->Create(kConfigMaps, ns(), ConfigMap("a", "1")));
  ASSERT_TRUE(client_->Create(kConfigMaps, ns(), ConfigMap("b", "1")));
  StartInformer(kConfigMaps, &FromConfigMap);
  EXPECT_EQ(log(), (std::vector<std::string>{"add a 1", "add b 1"}));
  EXPECT_EQ(informer_->Keys(), (std::vector<std::string>{ns() + "/a", ns() + "/b"}));

  ASSERT_TRUE(client_->Create(kConfigMaps, ns(), ConfigMap("c", "1")));
  auto patched =
      client_->Patch(kConfigMaps, ns(), "a", kube::PatchType::kMerge, {{"data", {{"v", "2"}}}});
  ASSERT_TRUE(patched) << patched.error().message;
  ASSERT_TRUE(client_->Delete(kConfigMaps, ns(), "b"));

  EXPECT_EQ(WaitForLog(5), (std::vector<std::string>{"add a 1", "add b 1", "add c 1",
                                                     "update a 1->2", "delete b 1"}));
  EXPECT_EQ(informer_->Keys(), (std::vector<std::string>{ns() + "/a", ns() + "/c"}));
  auto a = informer_->Get(ns() + "/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->value, "2");
  EXPECT_EQ(a->rv, kube::ResourceVersionOf(*patched));
  EXPECT_EQ(informer_->Stats().lists, 1u);
  EXPECT_EQ(informer_->Stats().relists, 0u);
  EXPECT_EQ(Errors(), "") << "a streaming list the server refused shows here";
}

TEST_P(InformerContractTest, WatchesTheServerEndsAreResumedWithoutLossOrRepeats) {
  // The server ends each watch after 1-2 s; a change is made after each restart.
  StartInformer(kConfigMaps, &FromConfigMap, /*min_watch_timeout=*/1s);
  std::vector<std::string> want;
  for (int i = 0; i < 4; ++i) {
    const std::uint64_t watches = informer_->Stats().watches;
    ASSERT_TRUE(Eventually([&] { return informer_->Stats().watches > watches; }, 30s))
        << "no watch restart; errors: " << Errors();
    const std::string name = "restart-" + std::to_string(i);
    ASSERT_TRUE(client_->Create(kConfigMaps, ns(), ConfigMap(name, "1")));
    want.push_back("add " + name + " 1");
  }
  EXPECT_EQ(WaitForLog(want.size()), want);
  EXPECT_EQ(informer_->Size(), want.size());
  EXPECT_EQ(informer_->Stats().relists, 0u) << "a watch that ends normally resumes, no relist";
}

TEST_P(InformerContractTest, TornWatchReconnectsFromTheLastVersion) {
  ASSERT_TRUE(client_->Create(kConfigMaps, ns(), ConfigMap("x", "1")));
  StartInformer(kConfigMaps, &FromConfigMap);
  ASSERT_TRUE(client_->Create(kConfigMaps, ns(), ConfigMap("y", "1")));
  ASSERT_EQ(WaitForLog(2), (std::vector<std::string>{"add x 1", "add y 1"}));

  // Break the connection and keep the informer off the server while things change.
  tearable_->Hold();
  tearable_->Tear();
  ASSERT_TRUE(tearable_->WaitForHeldWatch(30s)) << "the informer did not try to reconnect";
  ASSERT_TRUE(
      client_->Patch(kConfigMaps, ns(), "x", kube::PatchType::kMerge, {{"data", {{"v", "2"}}}}));
  ASSERT_TRUE(client_->Create(kConfigMaps, ns(), ConfigMap("z", "1")));
  ASSERT_TRUE(client_->Delete(kConfigMaps, ns(), "y"));
  tearable_->Release();

  // The watch resumes where it broke: each change arrives once, in order, without a relist.
  EXPECT_EQ(WaitForLog(5), (std::vector<std::string>{"add x 1", "add y 1", "update x 1->2",
                                                     "add z 1", "delete y 1"}));
  EXPECT_EQ(informer_->Stats().relists, 0u);
  EXPECT_GE(informer_->Stats().watch_restarts, 1u);
  EXPECT_GE(tearable_->streams(), 2);
  EXPECT_NE(Errors().find("torn by the test"), std::string::npos) << Errors();
}

TEST_P(InformerContractTest, RelistsWhenCompactionExpiredItsVersion) {
  ASSERT_TRUE(client_->Create(kEvents, ns(), Event("gone", ns(), "g")));
  ASSERT_TRUE(client_->Create(kEvents, ns(), Event("kept", ns(), "k1")));
  ASSERT_TRUE(client_->Create(kEvents, ns(), Event("same", ns(), "s")));
  StartInformer(kEvents, &FromEvent);
  EXPECT_EQ(log(), (std::vector<std::string>{"add gone g", "add kept k1", "add same s"}));

  // Disconnect the informer, change things, and compact etcd past its resourceVersion: its
  // next watch gets 410 Gone and it must relist and report exactly the difference.
  tearable_->Hold();
  tearable_->Tear();
  ASSERT_TRUE(tearable_->WaitForHeldWatch(30s)) << "the informer did not try to reconnect";
  ASSERT_TRUE(client_->Delete(kEvents, ns(), "gone"));
  ASSERT_TRUE(client_->Patch(kEvents, ns(), "kept", kube::PatchType::kMerge, {{"message", "k2"}}));
  ASSERT_TRUE(client_->Create(kEvents, ns(), Event("new", ns(), "n")));
  // Two more revisions: a watch from version V starts at V+1, which must be compacted too.
  ASSERT_TRUE(client_->Create(kConfigMaps, ns(), ConfigMap("bump-1", "1")));
  auto last = client_->Create(kConfigMaps, ns(), ConfigMap("bump-2", "1"));
  ASSERT_TRUE(last) << last.error().message;
  Status compacted = CompactEtcd(kube::ResourceVersionOf(*last));
  ASSERT_TRUE(compacted) << compacted.error().message;
  tearable_->Release();

  EXPECT_TRUE(Eventually([&] { return informer_->Stats().relists >= 1; }, 60s))
      << "no relist; errors: " << Errors();
  EXPECT_EQ(WaitForLog(6),
            (std::vector<std::string>{"add gone g", "add kept k1", "add same s",
                                      // the relist's difference: nothing for "same"
                                      "update kept k1->k2", "add new n", "delete gone g"}));
  EXPECT_TRUE(AnyGone()) << "errors: " << Errors();
  EXPECT_EQ(informer_->Keys(),
            (std::vector<std::string>{ns() + "/kept", ns() + "/new", ns() + "/same"}));
  // A busy server can send a second 410 to the watch that follows the relist (its watch cache
  // behind the LIST's version): a second relist is allowed, but it finds no difference, so no
  // change is reported twice.
  EXPECT_GE(informer_->Stats().relists, 1u);
  EXPECT_EQ(log().size(), 6u) << "a change reported twice";
}

INSTANTIATE_TEST_SUITE_P(ListModes, InformerContractTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "StreamingList" : "List"; });

}  // namespace
}  // namespace csp::e2e
