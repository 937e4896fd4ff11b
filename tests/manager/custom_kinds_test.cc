// CustomKinds against the in-memory API server: discovery, the informers it starts and stops,
// and the WorkloadKind status it writes (only when it changes).
#include "csp/manager/custom_kinds.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "csp/manager/resources.h"
#include "fake_api_server.h"

namespace csp::manager {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kDiscovery = "/apis/argoproj.io/v1alpha1";
const std::string kRolloutsAll = "/apis/argoproj.io/v1alpha1/rollouts";
const std::string kWeb = "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/web";

json Declaration(const std::string& name, const std::string& group, const std::string& kind) {
  return {{"apiVersion", "containersecurity.dev/v1alpha1"},
          {"kind", "WorkloadKind"},
          {"metadata", {{"name", name}, {"generation", 1}}},
          {"spec",
           {{"group", group},
            {"version", "v1alpha1"},
            {"kind", kind},
            {"podTemplatePaths", {"spec.template"}},
            {"scaleDown", "ScaleSubresource"}}}};
}

const json& ReadyOf(const json& object) { return object["status"]["conditions"][0]; }

// Polls `done` every 10 ms for up to 10 s (informers run on threads of their own).
bool Eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class CustomKindsTest : public ::testing::Test {
 protected:
  CustomKindsTest() {
    auto transport = std::make_unique<test::FakeApiServer>();
    server_ = transport.get();
    client_ = std::make_unique<kube::Client>(std::move(transport),
                                             kube::RestConfig{.server = "https://fake"},
                                             kube::ClientOptions{.qps = 0});
    kinds_ = std::make_unique<CustomKinds>(
        *client_,
        CustomKinds::Callbacks{.changed =
                                   [this](const std::string& ns) {
                                     std::lock_guard lock(mu_);
                                     changed_.insert(ns);
                                   },
                               .declarations_changed = [this] { ++declarations_changed_; },
                               .forget = [](const std::string&) {},
                               .on_error = [](std::string_view, const Error&) {}});
    server_->Put(kDiscovery,
                 {{"kind", "APIResourceList"},
                  {"metadata", json::object()},
                  {"resources",
                   {{{"name", "rollouts"}, {"namespaced", true}, {"kind", "Rollout"}},
                    {{"name", "rollouts/scale"}, {"namespaced", true}, {"kind", "Scale"}}}}});
    server_->Put(kWeb, {{"apiVersion", "argoproj.io/v1alpha1"},
                        {"kind", "Rollout"},
                        {"metadata", {{"name", "web"}, {"namespace", "shop"}}},
                        {"spec", {{"replicas", 3}}},
                        {"status", {{"phase", "Healthy"}}}});
  }

  void Declare(const json& object) {
    server_->Put(kWorkloadKinds.ObjectPath("", object["metadata"]["name"].get<std::string>()),
                 object);
  }
  json Stored(const std::string& name) { return server_->Get(kWorkloadKinds.ObjectPath("", name)); }
  // Syncs on the declarations as stored (as the WorkloadKind informer caches them).
  Status Sync(const std::vector<std::string>& names) {
    std::vector<std::shared_ptr<const json>> objects;
    for (const std::string& name : names) objects.push_back(std::make_shared<json>(Stored(name)));
    return kinds_->Sync(objects, std::chrono::sys_seconds(1'780'000'000s), stop_.get_token());
  }

  test::FakeApiServer* server_ = nullptr;
  std::unique_ptr<kube::Client> client_;
  std::stop_source stop_;
  std::mutex mu_;
  std::set<std::string> changed_;
  std::atomic<int> declarations_changed_{0};
  std::unique_ptr<CustomKinds> kinds_;
};

TEST_F(CustomKindsTest, ServedKindIsWatchedAndAMissingOneIsNotInstalled) {
  Declare(Declaration("rollouts.argoproj.io", "argoproj.io", "Rollout"));
  Declare(Declaration("widgets.example.com", "example.com", "Widget"));
  ASSERT_TRUE(Sync({"rollouts.argoproj.io", "widgets.example.com"}));
  const auto current = kinds_->Current();
  ASSERT_EQ(current->kinds.size(), 1u);
  EXPECT_EQ(current->declarations.size(), 2u) << "a declared kind owns its objects either way";
  const CustomKind& rollouts = current->kinds[0];
  EXPECT_EQ(rollouts.ref.resource, "rollouts");
  EXPECT_TRUE(rollouts.scale);
  kinds_->WaitForSync(stop_.get_token(), 10s);
  ASSERT_TRUE(rollouts.informer->HasSynced());
  const auto web = rollouts.informer->Get("shop/web");
  ASSERT_NE(web, nullptr);
  EXPECT_FALSE(web->object.Unpack().contains("status"));
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(changed_, std::set<std::string>{"shop"});
  }
  EXPECT_EQ(declarations_changed_.load(), 1);
  EXPECT_EQ(ReadyOf(Stored("widgets.example.com"))["reason"], "NotInstalled");

  ASSERT_TRUE(Sync({"rollouts.argoproj.io", "widgets.example.com"}));
  const json status = Stored("rollouts.argoproj.io")["status"];
  EXPECT_EQ(status["conditions"][0]["reason"], "Watching") << status.dump();
  EXPECT_EQ(status["resource"], "rollouts");
  EXPECT_EQ(status["scaleSubresource"], true);
  EXPECT_EQ(declarations_changed_.load(), 1) << "the same declarations";

  const int puts = server_->count("PUT");
  ASSERT_TRUE(Sync({"rollouts.argoproj.io", "widgets.example.com"}));
  EXPECT_EQ(server_->count("PUT"), puts) << "no status changed, nothing written";
}

TEST_F(CustomKindsTest, AKindItMayNotListIsForbidden) {
  server_->forbidden = {kRolloutsAll};
  Declare(Declaration("rollouts.argoproj.io", "argoproj.io", "Rollout"));
  // The informer's first LIST is refused on its own thread; a later Sync says so.
  EXPECT_TRUE(Eventually([&] {
    return Sync({"rollouts.argoproj.io"}) &&
           ReadyOf(Stored("rollouts.argoproj.io"))["reason"] == "Forbidden";
  }));
  const json ready = ReadyOf(Stored("rollouts.argoproj.io"));
  EXPECT_EQ(ready["reason"], "Forbidden") << ready.dump();
  EXPECT_NE(ready["message"].get<std::string>().find("aggregate-to-workload-kinds"),
            std::string::npos);
}

TEST_F(CustomKindsTest, ADeclarationGoneStopsItsInformer) {
  Declare(Declaration("rollouts.argoproj.io", "argoproj.io", "Rollout"));
  ASSERT_TRUE(Sync({"rollouts.argoproj.io"}));
  ASSERT_EQ(kinds_->Current()->kinds.size(), 1u);
  ASSERT_TRUE(Sync({}));
  EXPECT_TRUE(kinds_->Current()->kinds.empty());
  EXPECT_TRUE(kinds_->Current()->declarations.empty());
  EXPECT_EQ(declarations_changed_.load(), 2);
}

TEST_F(CustomKindsTest, AFailedDiscoveryKeepsAWatchedKind) {
  Declare(Declaration("rollouts.argoproj.io", "argoproj.io", "Rollout"));
  ASSERT_TRUE(Sync({"rollouts.argoproj.io"}));
  const auto before = kinds_->Current();
  server_->forbidden = {kDiscovery};  // any error but 404
  ASSERT_TRUE(Sync({"rollouts.argoproj.io"}));
  const auto after = kinds_->Current();
  ASSERT_EQ(after->kinds.size(), 1u);
  EXPECT_EQ(after->kinds[0].informer, before->kinds[0].informer) << "the same informer";
  EXPECT_EQ(declarations_changed_.load(), 1);
}

TEST_F(CustomKindsTest, TwoDeclarationsOfOneKindAndAClusterScopedKindAreInvalid) {
  Declare(Declaration("rollouts.argoproj.io", "argoproj.io", "Rollout"));
  Declare(Declaration("rollouts-again", "argoproj.io", "Rollout"));
  server_->Put("/apis/example.com/v1alpha1",
               {{"kind", "APIResourceList"},
                {"metadata", json::object()},
                {"resources", {{{"name", "gadgets"}, {"namespaced", false}, {"kind", "Gadget"}}}}});
  Declare(Declaration("gadgets.example.com", "example.com", "Gadget"));
  ASSERT_TRUE(Sync({"rollouts.argoproj.io", "rollouts-again", "gadgets.example.com"}));
  EXPECT_EQ(ReadyOf(Stored("rollouts-again"))["reason"], "InvalidSpec");
  EXPECT_EQ(ReadyOf(Stored("gadgets.example.com"))["reason"], "InvalidSpec");
  EXPECT_NE(
      ReadyOf(Stored("gadgets.example.com"))["message"].get<std::string>().find("cluster-scoped"),
      std::string::npos);
  EXPECT_EQ(kinds_->Current()->kinds.size(), 1u);
}

}  // namespace
}  // namespace csp::manager
