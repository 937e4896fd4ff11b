// StatusWriter against an in-memory object store that refuses stale writes with 409, as the API
// server does: each node's own report, the legacy shared report cleaned up, the
// read-modify-write loop, conflict retries, and many agents writing at once without losing one
// another's entries.
#include "csp/agent/status_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <thread>

#include "../kube/fakes.h"  // FakeClock
#include "fake_api_server.h"

namespace csp::agent {
namespace {

using csp::test::FakeApiServer;
using nlohmann::json;

const std::string kReports = "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/";
const std::string kOpenReports = "/apis/openreports.io/v1alpha1/clusterreports/";
const std::string kReportPath = kReports + "csp-node-profiles-n1";  // n1's own
const std::string kLegacyPath = kReports + "csp-node-profiles";     // every node's, before
const std::string kProfilePath = "/apis/containersecurity.dev/v1alpha1/securityprofiles/web";

// The API server and a client to it; the transport stays owned by the client.
struct Fixture {
  FakeApiServer* server = nullptr;
  std::unique_ptr<kube::Client> client;

  Fixture() {
    auto transport = std::make_unique<FakeApiServer>();
    server = transport.get();
    client = std::make_unique<kube::Client>(std::move(transport),
                                            kube::RestConfig{.server = "https://fake"},
                                            kube::ClientOptions{.qps = 0});
  }
};

StatusWriterOptions Options(const std::string& node) {
  return {.node = node,
          .backoff_base = std::chrono::milliseconds(1),
          .backoff_limit = std::chrono::milliseconds(5),
          .now = [] {
            return std::chrono::system_clock::time_point(std::chrono::seconds(1777629600));
          }};
}

NodeProfileResult Installed(const std::string& name) {
  return {.kind = profiles::ProfileKind::kSeccomp,
          .name = name,
          .state = NodeProfileState::kInstalled,
          .message = "installed"};
}

json Profile() {
  return {{"apiVersion", "containersecurity.dev/v1alpha1"},
          {"kind", "SecurityProfile"},
          {"metadata", {{"name", "web"}, {"uid", "uid-web"}, {"generation", 2}}},
          {"spec", {{"type", "Seccomp"}}}};
}

NodeStatusEntry Entry(NodeProfileState state) {
  return {.state = state, .message = "m", .observed_generation = 2};
}

TEST(StatusWriterTest, CreatesTheReportThenWritesOnlyChanges) {
  Fixture f;
  StatusWriter writer(*f.client, Options("n1"));
  Result<bool> created = writer.WriteNodeReport({Installed("a")});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(*created);
  EXPECT_EQ(f.server->Get(kReportPath)["results"].size(), 1u);

  Result<bool> again = writer.WriteNodeReport({Installed("a")});
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);  // read, found right, not written
  EXPECT_EQ(f.server->count("POST"), 1);
  EXPECT_EQ(f.server->count("PUT"), 0);
  EXPECT_EQ(writer.stats().writes.load(), 1u);
}

// A report change costs a GET and a PUT of this node's report in the API written, and nothing
// else: the other API and the legacy report were cleaned up by the first write.
TEST(StatusWriterTest, AfterTheFirstWriteOnlyTheReportWrittenIsAsked) {
  Fixture f;
  StatusWriter writer(*f.client, Options("n1"));
  ASSERT_TRUE(writer.WriteNodeReport({Installed("a")}));
  const std::size_t before = f.server->requests().size();
  ASSERT_TRUE(writer.WriteNodeReport({Installed("b")}));
  const std::vector<std::string> all = f.server->requests();
  EXPECT_EQ(std::vector<std::string>(all.begin() + before, all.end()),
            (std::vector<std::string>{"GET " + kReportPath, "PUT " + kReportPath}));
}

const std::string kOpenReportPath = kOpenReports + "csp-node-profiles-n1";

StatusWriterOptions OptionsIn(const std::string& node, std::vector<names::ReportApi> apis) {
  StatusWriterOptions options = Options(node);
  options.report_apis = std::move(apis);
  return options;
}

TEST(StatusWriterTest, OpenReportsWritesAClusterReportOnly) {
  Fixture f;
  StatusWriter writer(*f.client, OptionsIn("n1", {names::ReportApi::kOpenReports}));
  Result<bool> created = writer.WriteNodeReport({Installed("a")});
  ASSERT_TRUE(created) << created.error().message;
  const json report = f.server->Get(kOpenReportPath);
  EXPECT_EQ(report["apiVersion"], "openreports.io/v1alpha1");
  EXPECT_EQ(report["kind"], "ClusterReport");
  EXPECT_EQ(report["source"], "containersecurity");
  ASSERT_EQ(report["results"].size(), 1u);
  EXPECT_EQ(report["results"][0]["properties"]["node"], "n1");
  EXPECT_TRUE(f.server->Get(kReportPath).is_null()) << "no ClusterPolicyReport is created";
  EXPECT_EQ(f.server->requests("POST"),
            std::vector<std::string>{"POST /apis/openreports.io/v1alpha1/clusterreports"});
}

TEST(StatusWriterTest, BothWritesTheSameResultsInBothApis) {
  Fixture f;
  StatusWriter writer(*f.client, OptionsIn("n1", names::ReportApisOf("both")));
  ASSERT_TRUE(writer.WriteNodeReport({Installed("a"), Installed("b")}));
  const json wg = f.server->Get(kReportPath);
  const json open = f.server->Get(kOpenReportPath);
  EXPECT_EQ(wg["kind"], "ClusterPolicyReport");
  EXPECT_FALSE(wg.contains("source"));
  EXPECT_EQ(open["kind"], "ClusterReport");
  EXPECT_EQ(wg["results"], open["results"]);
  EXPECT_EQ(wg["summary"], open["summary"]);
}

// Switching an agent to openreports deletes its node's ClusterPolicyReport; the other nodes'
// stay.
TEST(StatusWriterTest, SwitchingApisRemovesThisNodesReportFromTheOther) {
  Fixture f;
  StatusWriter n1_old(*f.client, Options("n1"));
  StatusWriter n2_old(*f.client, Options("n2"));
  ASSERT_TRUE(n1_old.WriteNodeReport({Installed("a")}));
  ASSERT_TRUE(n2_old.WriteNodeReport({Installed("a")}));
  ASSERT_EQ(f.server->Get(kReportPath)["results"].size(), 1u);

  StatusWriter n1(*f.client, OptionsIn("n1", {names::ReportApi::kOpenReports}));
  ASSERT_TRUE(n1.WriteNodeReport({Installed("a")}));
  EXPECT_TRUE(f.server->Get(kReportPath).is_null()) << "the emptied report is deleted";
  const json n2_report = f.server->Get(kReports + "csp-node-profiles-n2");
  ASSERT_EQ(n2_report["results"].size(), 1u);
  EXPECT_EQ(n2_report["results"][0]["properties"]["node"], "n2");
  EXPECT_EQ(f.server->Get(kOpenReportPath)["results"].size(), 1u);
  EXPECT_TRUE(f.server->Get(kOpenReports + "csp-node-profiles-n2").is_null());

  // Steady state: nothing more to write or delete anywhere.
  const int writes = f.server->count("PUT") + f.server->count("POST") + f.server->count("DELETE");
  Result<bool> again = n1.WriteNodeReport({Installed("a")});
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  EXPECT_EQ(f.server->count("PUT") + f.server->count("POST") + f.server->count("DELETE"), writes);
}

// RBAC granting only the API chosen (config/agent today): the other API cannot be read, and
// that is no error, so the write of the chosen one counts.
TEST(StatusWriterTest, AnApiNotWrittenThatIsForbiddenIsNoError) {
  Fixture f;
  f.server->forbidden = {"/apis/openreports.io/"};
  StatusWriter writer(*f.client, Options("n1"));
  Result<bool> written = writer.WriteNodeReport({Installed("a")});
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_TRUE(*written);
  EXPECT_EQ(writer.stats().errors.load(), 0u);
  // The API chosen forbidden is an error, though.
  StatusWriter open(*f.client, OptionsIn("n1", {names::ReportApi::kOpenReports}));
  Result<bool> refused = open.WriteNodeReport({Installed("a")});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kPermissionDenied);
}

// Without the right to delete (RBAC granting none), a switched agent empties its old report.
TEST(StatusWriterTest, SwitchingWithoutDeleteRightsEmptiesTheOldReport) {
  Fixture f;
  f.server->forbidden = {"DELETE /apis/wgpolicyk8s.io/"};
  StatusWriter old(*f.client, Options("n1"));
  ASSERT_TRUE(old.WriteNodeReport({Installed("a")}));
  StatusWriter n1(*f.client, OptionsIn("n1", {names::ReportApi::kOpenReports}));
  Result<bool> written = n1.WriteNodeReport({Installed("a")});
  ASSERT_TRUE(written) << written.error().message;
  const json left = f.server->Get(kReportPath);
  ASSERT_TRUE(left.is_object());
  EXPECT_TRUE(left["results"].empty()) << left.dump(2);
  EXPECT_EQ(left["summary"]["pass"], 0);
  Result<bool> again = n1.WriteNodeReport({Installed("a")});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(*again);
}

// Only a second writer of the same object (two nodes whose long names share a report name,
// NodeReportName) can conflict; its results are kept.
TEST(StatusWriterTest, RetriesAfterAConflictAndKeepsTheOtherWritersResults) {
  Fixture f;
  StatusWriter n1(*f.client, Options("n1"));
  ASSERT_TRUE(n1.WriteNodeReport({Installed("a")}));
  // Between n1's next GET and PUT, n2 writes its own results (once).
  bool raced = false;
  f.server->before_put = [&](const std::string& path) {
    if (raced || path != kReportPath) return;
    raced = true;
    json report = f.server->Get(kReportPath);
    f.server->Put(kReportPath, MergeNodeReport(report, "n2", {Installed("b")}, 1777629600));
  };
  Result<bool> written = n1.WriteNodeReport({Installed("a"), Installed("c")});
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(f.server->conflicts(), 1);
  EXPECT_EQ(n1.stats().conflicts.load(), 1u);
  const json report = f.server->Get(kReportPath);
  ASSERT_EQ(report["results"].size(), 3u);
  EXPECT_EQ(report["results"][2]["properties"]["node"], "n2");
  EXPECT_EQ(report["summary"]["pass"], 3);
}

TEST(StatusWriterTest, GivesUpAfterMaxAttempts) {
  Fixture f;
  StatusWriterOptions options = Options("n1");
  options.max_attempts = 3;
  StatusWriter writer(*f.client, options);
  ASSERT_TRUE(writer.WriteNodeReport({}));
  f.server->before_put = [&](const std::string& path) {
    f.server->Put(path, f.server->Get(path));  // always someone faster
  };
  Result<bool> written = writer.WriteNodeReport({Installed("a")});
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, Code::kAborted);
  EXPECT_NE(written.error().message.find("still conflicting after 3 attempts"), std::string::npos);
  EXPECT_EQ(f.server->conflicts(), 3);
}

// Many agents at once, each on its own thread and with its own writer: each report is its
// node's alone, so their writes never conflict; the shared profile status loses no entry.
TEST(StatusWriterTest, ConcurrentAgentsConverge) {
  Fixture f;
  f.server->Put(kProfilePath, Profile());
  constexpr int kAgents = 12;
  std::vector<std::unique_ptr<StatusWriter>> writers;
  for (int i = 0; i < kAgents; ++i) {
    writers.push_back(std::make_unique<StatusWriter>(*f.client, Options("n" + std::to_string(i))));
  }
  const auto all_at_once = [&](const std::function<void(int)>& write) {
    std::vector<std::jthread> agents;
    for (int i = 0; i < kAgents; ++i) agents.emplace_back([&, i] { write(i); });
  };
  all_at_once([&](int i) {
    EXPECT_TRUE(writers[i]->WriteNodeReport({Installed("a"), Installed("b")}));
  });
  EXPECT_EQ(f.server->conflicts(), 0);
  for (int i = 0; i < kAgents; ++i) {
    const std::string node = "n" + std::to_string(i);
    const json report = f.server->Get(kReports + "csp-node-profiles-" + node);
    ASSERT_EQ(report["results"].size(), 2u) << node;
    EXPECT_EQ(report["results"][0]["properties"]["node"], node);
    EXPECT_EQ(report["summary"]["pass"], 2);
  }
  all_at_once([&](int i) {
    EXPECT_TRUE(writers[i]->WriteProfileStatus(
        "web", "uid-web",
        Entry(i % 3 == 0 ? NodeProfileState::kFailed : NodeProfileState::kInstalled)));
  });
  const json status = f.server->Get(kProfilePath)["status"];
  EXPECT_EQ(status["nodeStatus"].size(), static_cast<std::size_t>(kAgents));
  EXPECT_EQ(status["nodes"], json({{"selected", kAgents},
                                   {"installed", kAgents - 4},
                                   {"pending", 0},
                                   {"failed", 4},
                                   {"unsupported", 0}}));
}

// The upgrade from one shared report: an agent writes its own report, then takes its node's
// results out of the legacy csp-node-profiles (in each API); the last one out deletes it. Done
// once, it is not read again.
TEST(StatusWriterTest, RemovesItsNodesResultsFromTheLegacyReport) {
  Fixture f;
  json legacy = MergeNodeReport(nullptr, "n1", {Installed("old")}, 1777629600);
  legacy["metadata"]["name"] = "csp-node-profiles";
  legacy = MergeNodeReport(legacy, "n2", {Installed("old")}, 1777629600);
  f.server->Put(kLegacyPath, legacy);
  json open_legacy = MergeNodeReport(nullptr, "n1", {Installed("old")}, 1777629600,
                                     names::ReportApi::kOpenReports);
  open_legacy["metadata"]["name"] = "csp-node-profiles";
  f.server->Put(kOpenReports + "csp-node-profiles", open_legacy);

  StatusWriter n1(*f.client, Options("n1"));
  Result<bool> written = n1.WriteNodeReport({Installed("a")});
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_TRUE(*written);
  ASSERT_EQ(f.server->Get(kReportPath)["results"].size(), 1u);
  const json left = f.server->Get(kLegacyPath);
  ASSERT_EQ(left["results"].size(), 1u);
  EXPECT_EQ(left["results"][0]["properties"]["node"], "n2");
  EXPECT_TRUE(f.server->Get(kOpenReports + "csp-node-profiles").is_null())
      << "n1 was the last node in the OpenReports one";
  const auto requests = f.server->requests();
  const auto own = std::ranges::find(requests, "POST " + kReports.substr(0, kReports.size() - 1));
  const auto cleanup = std::ranges::find(requests, "PUT " + kLegacyPath);
  ASSERT_NE(cleanup, requests.end());
  EXPECT_LT(own, cleanup) << "its own report first";

  StatusWriter n2(*f.client, Options("n2"));
  ASSERT_TRUE(n2.WriteNodeReport({Installed("a")}));
  EXPECT_TRUE(f.server->Get(kLegacyPath).is_null());

  const auto legacy_reads = [&] {
    return std::ranges::count(f.server->requests(), "GET " + kLegacyPath);
  };
  const auto before = legacy_reads();
  ASSERT_TRUE(n1.WriteNodeReport({Installed("b")}));
  EXPECT_EQ(legacy_reads(), before);
}

TEST(StatusWriterTest, ProfileStatusIsWrittenOnlyWhenItChanges) {
  Fixture f;
  f.server->Put(kProfilePath, Profile());
  StatusWriter writer(*f.client, Options("n1"));
  Result<bool> first =
      writer.WriteProfileStatus("web", "uid-web", Entry(NodeProfileState::kInstalled));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(*first);
  EXPECT_EQ(f.server->Get(kProfilePath)["status"]["nodeStatus"][0]["node"], "n1");
  EXPECT_FALSE(*writer.WriteProfileStatus("web", "uid-web", Entry(NodeProfileState::kInstalled)));
  EXPECT_EQ(f.server->count("PUT"), 1);
  EXPECT_TRUE(*writer.WriteProfileStatus("web", "uid-web", std::nullopt));
  EXPECT_FALSE(f.server->Get(kProfilePath)["status"].contains("nodeStatus"));
}

TEST(StatusWriterTest, AnotherObjectOfTheSameNameOrNoneIsLeftAlone) {
  Fixture f;
  StatusWriter writer(*f.client, Options("n1"));
  Result<bool> missing =
      writer.WriteProfileStatus("web", "uid-web", Entry(NodeProfileState::kInstalled));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  f.server->Put(kProfilePath, Profile());
  Result<bool> other =
      writer.WriteProfileStatus("web", "uid-old", Entry(NodeProfileState::kInstalled));
  ASSERT_TRUE(other);
  EXPECT_FALSE(*other);
  EXPECT_EQ(f.server->count("PUT"), 0);
}

// The first window after a conflict is as wide as the writers need to take turns (nodes in
// the object x duration of one attempt), then doubles up to backoff_limit.
TEST(StatusWriterTest, BackoffSpreadsAsManyWritersAsTheObjectHas) {
  Fixture f;
  json profile = Profile();
  for (int i = 0; i < 9; ++i) {
    profile["status"]["nodeStatus"].push_back({{"node", "other-" + std::to_string(i)},
                                               {"state", "Installed"},
                                               {"observedGeneration", 2}});
  }
  f.server->Put(kProfilePath, profile);
  kube::testing::FakeClock clock;
  f.server->on_request = [&] { clock.Advance(std::chrono::milliseconds(50)); };  // 100 ms a try
  int conflicts_left = 5;
  f.server->before_put = [&](const std::string& path) {
    if (conflicts_left-- > 0) f.server->Put(path, f.server->Get(path));
  };
  StatusWriterOptions options = Options("n1");
  options.backoff_base = std::chrono::milliseconds(50);
  options.backoff_limit = std::chrono::milliseconds(5'000);
  options.uniform01 = [] { return 0.5; };
  options.clock = &clock;
  StatusWriter writer(*f.client, options);
  Result<bool> written =
      writer.WriteProfileStatus("web", "uid-web", Entry(NodeProfileState::kInstalled));
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_EQ(clock.sleeps.size(), 5u);
  using std::chrono::milliseconds;
  // Half of each window: (9 others + us) x 100 ms = 1 s, doubling, capped at 5 s.
  const std::vector<milliseconds> want = {milliseconds(500), milliseconds(1000), milliseconds(2000),
                                          milliseconds(2500), milliseconds(2500)};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(std::chrono::duration_cast<milliseconds>(clock.sleeps[i]), want[i]) << i;
  }
}

}  // namespace
}  // namespace csp::agent
