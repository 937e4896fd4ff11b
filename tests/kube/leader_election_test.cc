// LeaderElector over a scripted API server and a fake clock: acquire, renew, expiry measured on
// the local clock, 409 conflicts, release, and Run's leading lifecycle.
#include "csp/kube/leader_election.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "csp/kube/client.h"
#include "fakes.h"

namespace csp::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeClock;
using testing::Respond;
using testing::ScriptedTransport;
using testing::Step;

constexpr char kLeasePath[] = "/apis/coordination.k8s.io/v1/namespaces/ops/leases/csp-operator";
constexpr char kLeasesPath[] = "/apis/coordination.k8s.io/v1/namespaces/ops/leases";
// The wall clock the elector writes into the Lease: 2024-05-01T12:00:00.000123Z.
constexpr auto kWallTime = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} +
                           std::chrono::hours(12) + std::chrono::microseconds(123);
constexpr char kWallText[] = "2024-05-01T12:00:00.000123Z";

nlohmann::json Lease(const std::string& holder, const std::string& rv,
                     const std::string& renew_time = "2024-05-01T11:00:00.000000Z",
                     int transitions = 0, int duration = 15) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", "csp-operator"}, {"namespace", "ops"}, {"resourceVersion", rv}}},
          {"spec",
           {{"holderIdentity", holder},
            {"leaseDurationSeconds", duration},
            {"acquireTime", "2024-05-01T10:00:00.000000Z"},
            {"renewTime", renew_time},
            {"leaseTransitions", transitions}}}};
}

Step Ok(const nlohmann::json& lease, int status = 200) { return Respond(status, lease.dump()); }

Step NotFound() {
  return Respond(404, R"({"kind":"Status","code":404,"reason":"NotFound","message":"nope"})");
}

Step Conflict() {
  return Respond(409, R"({"kind":"Status","code":409,"reason":"Conflict","message":"modified"})");
}

class LeaderElectionTest : public ::testing::Test {
 protected:
  // An elector over `steps`; `edit` may change the config after the test defaults are set.
  LeaderElector& Make(std::vector<Step> steps,
                      const std::function<void(LeaderElectionConfig&)>& edit = nullptr) {
    LeaderElectionConfig config;
    auto transport = std::make_unique<ScriptedTransport>(std::move(steps));
    transport_ = transport.get();
    client_ = std::make_unique<Client>(
        std::move(transport), RestConfig{},
        ClientOptions{.qps = 0, .retry = {.max_attempts = 1}, .clock = &clock_});
    config.lease_namespace = "ops";
    config.lease_name = "csp-operator";
    config.identity = "me";
    config.clock = &clock_;
    config.wall_clock = [] { return kWallTime; };
    config.on_error = [this](const Error& e) { errors_.push_back(e); };
    config.on_new_leader = [this](const std::string& id) { events_.push_back("leader " + id); };
    config.on_started_leading = [this] { events_.push_back("started"); };
    config.on_stopped_leading = [this] { events_.push_back("stopped"); };
    if (edit) edit(config);
    auto elector = LeaderElector::Create(*client_, std::move(config));
    EXPECT_TRUE(elector) << elector.error().message;
    elector_ = std::move(*elector);
    return *elector_;
  }

  const HttpRequest& Request(std::size_t i) { return transport_->requests.at(i); }
  nlohmann::json Body(std::size_t i) { return nlohmann::json::parse(Request(i).body); }

  FakeClock clock_;
  ScriptedTransport* transport_ = nullptr;
  std::unique_ptr<Client> client_;
  std::unique_ptr<LeaderElector> elector_;
  std::vector<Error> errors_;
  std::vector<std::string> events_;
  std::stop_source stop_;
};

TEST_F(LeaderElectionTest, CreatesTheLeaseWhenAbsent) {
  auto& elector = Make({NotFound(), Ok(Lease("me", "1"), 201)});
  EXPECT_TRUE(elector.TryAcquireOrRenew());
  ASSERT_EQ(transport_->requests.size(), 2u);
  EXPECT_EQ(Request(0).method, "GET");
  EXPECT_EQ(Request(0).target, kLeasePath);
  EXPECT_EQ(Request(1).method, "POST");
  EXPECT_EQ(Request(1).target, kLeasesPath);
  const nlohmann::json body = Body(1);
  EXPECT_EQ(body["metadata"]["name"], "csp-operator");
  EXPECT_EQ(body["spec"], (nlohmann::json{{"holderIdentity", "me"},
                                          {"leaseDurationSeconds", 15},
                                          {"acquireTime", kWallText},
                                          {"renewTime", kWallText},
                                          {"leaseTransitions", 0}}));
  EXPECT_EQ(elector.ObservedLeader(), "me");
  EXPECT_EQ(events_, (std::vector<std::string>{"leader me"}));
  EXPECT_FALSE(elector.IsLeader()) << "IsLeader reflects Run, which is not running";
}

TEST_F(LeaderElectionTest, RenewsItsOwnLeaseKeepingAcquireTimeAndTransitions) {
  auto& elector = Make(
      {Ok(Lease("me", "5", "2024-05-01T11:00:00.000000Z", 3)), Ok(Lease("me", "6", kWallText, 3))});
  EXPECT_TRUE(elector.TryAcquireOrRenew());
  ASSERT_EQ(transport_->requests.size(), 2u);
  EXPECT_EQ(Request(1).method, "PUT");
  EXPECT_EQ(Request(1).target, kLeasePath);
  const nlohmann::json body = Body(1);
  EXPECT_EQ(body["metadata"]["resourceVersion"], "5") << "optimistic concurrency";
  EXPECT_EQ(body["spec"]["acquireTime"], "2024-05-01T10:00:00.000000Z");
  EXPECT_EQ(body["spec"]["renewTime"], kWallText);
  EXPECT_EQ(body["spec"]["leaseTransitions"], 3);
}

TEST_F(LeaderElectionTest, TakesAnotherHoldersLeaseOnlyAfterItExpiresOnTheLocalClock) {
  // The remote renewTime is hours old; only the local observation counts.
  const nlohmann::json held = Lease("other", "7", "2024-05-01T09:00:00.000000Z", 2);
  auto& elector = Make({Ok(held), Ok(held), Ok(held), Ok(Lease("me", "8", kWallText, 3))});
  EXPECT_FALSE(elector.TryAcquireOrRenew()) << "first sight starts the expiry clock";
  EXPECT_EQ(elector.ObservedLeader(), "other");
  clock_.Advance(seconds(14));
  EXPECT_FALSE(elector.TryAcquireOrRenew()) << "14 s of a 15 s lease";
  clock_.Advance(seconds(1));
  EXPECT_TRUE(elector.TryAcquireOrRenew());
  ASSERT_EQ(transport_->requests.size(), 4u);
  EXPECT_EQ(Request(3).method, "PUT");
  const nlohmann::json body = Body(3);
  EXPECT_EQ(body["spec"]["holderIdentity"], "me");
  EXPECT_EQ(body["spec"]["acquireTime"], kWallText);
  EXPECT_EQ(body["spec"]["leaseTransitions"], 3);
  EXPECT_EQ(body["metadata"]["resourceVersion"], "7");
  EXPECT_EQ(events_, (std::vector<std::string>{"leader other", "leader me"}));
}

TEST_F(LeaderElectionTest, ARenewalSeenByTheCandidateRestartsTheExpiry) {
  auto& elector =
      Make({Ok(Lease("other", "7", "2024-05-01T11:00:00.000000Z")),
            Ok(Lease("other", "9", "2024-05-01T11:00:10.000000Z")),
            Ok(Lease("other", "9", "2024-05-01T11:00:10.000000Z")),
            Ok(Lease("other", "9", "2024-05-01T11:00:10.000000Z")), Ok(Lease("me", "10"))});
  EXPECT_FALSE(elector.TryAcquireOrRenew());
  clock_.Advance(seconds(10));
  EXPECT_FALSE(elector.TryAcquireOrRenew()) << "renewed: the record changed";
  clock_.Advance(seconds(10));
  EXPECT_FALSE(elector.TryAcquireOrRenew()) << "20 s since first sight, 10 s since the change";
  clock_.Advance(seconds(5));
  EXPECT_TRUE(elector.TryAcquireOrRenew());
}

TEST_F(LeaderElectionTest, UsesTheHoldersLeaseDuration) {
  const nlohmann::json held = Lease("other", "7", "x", 0, /*duration=*/4);
  auto& elector = Make({Ok(held), Ok(held), Ok(Lease("me", "8"))});
  EXPECT_FALSE(elector.TryAcquireOrRenew());
  clock_.Advance(seconds(4));
  EXPECT_TRUE(elector.TryAcquireOrRenew());
}

TEST_F(LeaderElectionTest, TakesAReleasedLeaseAtOnce) {
  auto& elector = Make({Ok(Lease("", "7", "x", 4, 1)), Ok(Lease("me", "8", kWallText, 5))});
  EXPECT_TRUE(elector.TryAcquireOrRenew());
  EXPECT_EQ(Body(1)["spec"]["leaseTransitions"], 5);
  EXPECT_EQ(Body(1)["spec"]["leaseDurationSeconds"], 15);
}

TEST_F(LeaderElectionTest, ConflictFailsThisAttemptAndTheNextSucceeds) {
  auto& elector = Make({Ok(Lease("", "7")), Conflict(), Ok(Lease("", "8")), Ok(Lease("me", "9"))});
  EXPECT_FALSE(elector.TryAcquireOrRenew());
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].code, Code::kAborted) << errors_[0].message;
  EXPECT_TRUE(elector.TryAcquireOrRenew());
  EXPECT_EQ(Body(3)["metadata"]["resourceVersion"], "8") << "the fresh version, not the stale";
}

TEST_F(LeaderElectionTest, LosingTheCreateRaceIsNotLeading) {
  auto& elector = Make({NotFound(), Respond(409, R"({"kind":"Status","code":409,
      "reason":"AlreadyExists","message":"exists"})")});
  EXPECT_FALSE(elector.TryAcquireOrRenew());
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].code, Code::kAlreadyExists);
}

TEST_F(LeaderElectionTest, ReadErrorIsReportedAndNotLeading) {
  auto& elector = Make({Respond(500, R"({"kind":"Status","code":500,"message":"etcd"})")});
  EXPECT_FALSE(elector.TryAcquireOrRenew());
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].code, Code::kUnavailable);
}

TEST_F(LeaderElectionTest, ReleaseClearsTheHolderOnlyWhenHeld) {
  auto& elector = Make(
      {NotFound(), Ok(Lease("me", "1", kWallText, 2), 201), Ok(Lease("", "2", kWallText, 2, 1))});
  EXPECT_TRUE(elector.Release()) << "not holding: nothing to do";
  EXPECT_TRUE(transport_->requests.empty());
  ASSERT_TRUE(elector.TryAcquireOrRenew());
  Status released = elector.Release();
  ASSERT_TRUE(released) << released.error().message;
  ASSERT_EQ(transport_->requests.size(), 3u);
  EXPECT_EQ(Request(2).method, "PUT");
  const nlohmann::json body = Body(2);
  EXPECT_EQ(body["metadata"]["resourceVersion"], "1");
  EXPECT_EQ(body["spec"]["holderIdentity"], "");
  EXPECT_EQ(body["spec"]["leaseDurationSeconds"], 1);
  EXPECT_EQ(body["spec"]["leaseTransitions"], 2);
  EXPECT_EQ(elector.ObservedLeader(), "");
  EXPECT_TRUE(elector.Release()) << "released already: no second write";
  EXPECT_EQ(transport_->requests.size(), 3u);
}

TEST_F(LeaderElectionTest, RunLeadsUntilRenewalFailsPastTheDeadline) {
  // Acquire at t=0, renew at t=2 and t=4, then every attempt fails (the script ran out).
  Make({NotFound(), Ok(Lease("me", "1"), 201), Ok(Lease("me", "1")), Ok(Lease("me", "2")),
        Ok(Lease("me", "2")), Ok(Lease("me", "3"))});
  elector_->Run({});
  EXPECT_EQ(events_, (std::vector<std::string>{"leader me", "started", "stopped"}));
  EXPECT_FALSE(elector_->IsLeader());
  // Failed attempts at t = 6, 8, 10, 12 and 14; at 14 the last renewal (t=4) is 10 s old.
  EXPECT_EQ(errors_.size(), 5u);
  EXPECT_EQ(transport_->requests.size(), 6u + 5u);
  EXPECT_EQ(clock_.sleeps, std::vector<Clock::Duration>(7, seconds(2)));
}

TEST_F(LeaderElectionTest, IsLeaderWhileRunLeads) {
  std::vector<bool> leading;
  Make({NotFound(), Ok(Lease("me", "1"), 201), Ok(Lease("", "2", kWallText, 0, 1))},
       [&](LeaderElectionConfig& c) {
         c.on_started_leading = [&] {
           leading.push_back(elector_->IsLeader());
           stop_.request_stop();
         };
         c.on_stopped_leading = [&] { leading.push_back(elector_->IsLeader()); };
       });
  elector_->Run(stop_.get_token());
  EXPECT_EQ(leading, (std::vector<bool>{true, false}));
}

TEST_F(LeaderElectionTest, RunReleasesTheLeaseWhenStopped) {
  Make({NotFound(), Ok(Lease("me", "1"), 201), Ok(Lease("", "2", kWallText, 0, 1))},
       [this](LeaderElectionConfig& c) {
         c.on_started_leading = [this] {
           events_.push_back("started");
           stop_.request_stop();  // as SIGTERM would
         };
       });
  elector_->Run(stop_.get_token());
  EXPECT_EQ(events_, (std::vector<std::string>{"leader me", "started", "stopped"}));
  ASSERT_EQ(transport_->requests.size(), 3u);
  EXPECT_EQ(Request(2).method, "PUT");
  EXPECT_EQ(Body(2)["spec"]["holderIdentity"], "");
  EXPECT_EQ(Body(2)["spec"]["leaseDurationSeconds"], 1);
  EXPECT_TRUE(errors_.empty());
}

TEST_F(LeaderElectionTest, RunWithoutReleaseLeavesTheLeaseHeld) {
  Make({NotFound(), Ok(Lease("me", "1"), 201)}, [this](LeaderElectionConfig& c) {
    c.release_on_stop = false;
    c.on_started_leading = [this] { stop_.request_stop(); };
  });
  elector_->Run(stop_.get_token());
  EXPECT_EQ(transport_->requests.size(), 2u) << "no release write";
  EXPECT_EQ(events_, (std::vector<std::string>{"leader me", "stopped"}));
}

TEST_F(LeaderElectionTest, RunStoppedBeforeAcquiringCallsNothing) {
  Make({Ok(Lease("other", "7"))});
  stop_.request_stop();
  elector_->Run(stop_.get_token());
  EXPECT_TRUE(transport_->requests.empty());
  EXPECT_TRUE(events_.empty());
}

TEST_F(LeaderElectionTest, RunStepsDownAtOnceWhenAnotherHolderTookOver) {
  Make({NotFound(), Ok(Lease("me", "1"), 201), Ok(Lease("usurper", "5"))});
  elector_->Run({});
  EXPECT_EQ(events_,
            (std::vector<std::string>{"leader me", "started", "leader usurper", "stopped"}));
  EXPECT_EQ(transport_->requests.size(), 3u) << "no further attempt, no release";
}

TEST_F(LeaderElectionTest, RunWaitsForAnotherHoldersLeaseToExpire) {
  const nlohmann::json held = Lease("other", "7");
  // Attempts at t = 0, 2, ..., 14 see the same record; at t = 16 it has expired (15 s).
  std::vector<Step> steps(8, Ok(held));
  steps.push_back(Ok(held));
  steps.push_back(Ok(Lease("me", "8")));
  steps.push_back(Ok(Lease("usurper", "9")));  // then lose it again, to end Run
  Make(std::move(steps));
  elector_->Run({});
  EXPECT_EQ(events_, (std::vector<std::string>{"leader other", "leader me", "started",
                                               "leader usurper", "stopped"}));
}

struct BadConfigCase {
  const char* name;
  LeaderElectionConfig config;
  const char* message_part;
};

class LeaderElectionConfigTest : public ::testing::TestWithParam<BadConfigCase> {};

LeaderElectionConfig Valid() {
  return {.lease_namespace = "ops", .lease_name = "l", .identity = "me"};
}

LeaderElectionConfig With(void (*edit)(LeaderElectionConfig&)) {
  LeaderElectionConfig config = Valid();
  edit(config);
  return config;
}

const BadConfigCase kBadConfigs[] = {
    {"no_identity", With([](auto& c) { c.identity = ""; }), "identity"},
    {"no_lease_name", With([](auto& c) { c.lease_name = ""; }), "lease name"},
    {"no_namespace", With([](auto& c) { c.lease_namespace = ""; }), "namespace"},
    {"zero_retry", With([](auto& c) { c.retry_period = milliseconds(0); }), "retry period"},
    {"deadline_too_close_to_retry", With([](auto& c) { c.renew_deadline = milliseconds(2400); }),
     "renew deadline"},
    {"lease_not_longer_than_deadline", With([](auto& c) { c.lease_duration = seconds(10); }),
     "lease duration"},
};

TEST_P(LeaderElectionConfigTest, IsRejected) {
  FakeClock clock;
  Client client(std::make_unique<ScriptedTransport>(std::vector<Step>{}), RestConfig{},
                ClientOptions{.qps = 0, .clock = &clock});
  auto elector = LeaderElector::Create(client, GetParam().config);
  ASSERT_FALSE(elector);
  EXPECT_EQ(elector.error().code, Code::kInvalidArgument);
  EXPECT_NE(elector.error().message.find(GetParam().message_part), std::string::npos)
      << elector.error().message;
}

INSTANTIATE_TEST_SUITE_P(Cases, LeaderElectionConfigTest, ::testing::ValuesIn(kBadConfigs),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(LeaderElectionDefaultsTest, DefaultsAreClientGos) {
  FakeClock clock;
  Client client(std::make_unique<ScriptedTransport>(std::vector<Step>{}), RestConfig{},
                ClientOptions{.qps = 0, .clock = &clock});
  auto elector = LeaderElector::Create(client, Valid());
  ASSERT_TRUE(elector) << elector.error().message;
  EXPECT_EQ((*elector)->config().lease_duration, seconds(15));
  EXPECT_EQ((*elector)->config().renew_deadline, seconds(10));
  EXPECT_EQ((*elector)->config().retry_period, seconds(2));
}

}  // namespace
}  // namespace csp::kube
