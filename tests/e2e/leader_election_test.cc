// Contract test of csp::kube::LeaderElector against the real kube-apiserver: two candidates in
// one process share a Lease; exactly one leads; a release hands over at once; a leader that
// stops renewing (as after kill -9) is replaced once its lease expires.
#include "csp/kube/leader_election.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "csp/kube/client.h"
#include "csp/kube/cpprest_transport.h"
#include "csp/kube/kubeconfig.h"
#include "e2e_env.h"

namespace csp::e2e {
namespace {

using namespace std::chrono_literals;

// Short periods keep the test quick; their ratios are client-go's defaults (15 s / 10 s / 2 s).
constexpr std::chrono::seconds kLeaseDuration = 6s;
constexpr std::chrono::milliseconds kRenewDeadline = 4000ms;
constexpr std::chrono::milliseconds kRetryPeriod = 800ms;
constexpr char kLeaseName[] = "csp-operator-leader";

// One replica: its own client and elector, running on its own thread.
class Candidate {
 public:
  Candidate(std::string identity, std::string ns, bool release_on_stop)
      : identity_(std::move(identity)), ns_(std::move(ns)), release_on_stop_(release_on_stop) {}

  ::testing::AssertionResult Start() {
    auto config = kube::LoadKubeconfig(Kubeconfig());
    if (!config) return ::testing::AssertionFailure() << config.error().message;
    auto transport = kube::NewCpprestTransport(*config);
    if (!transport) return ::testing::AssertionFailure() << transport.error().message;
    // Few retries: one attempt must not outlast the renew deadline.
    client_ = std::make_unique<kube::Client>(std::move(*transport), *config,
                                             kube::ClientOptions{.retry = {.max_attempts = 2}});
    auto elector =
        kube::LeaderElector::Create(*client_, {.lease_namespace = ns_,
                                               .lease_name = kLeaseName,
                                               .identity = identity_,
                                               .lease_duration = kLeaseDuration,
                                               .renew_deadline = kRenewDeadline,
                                               .retry_period = kRetryPeriod,
                                               .release_on_stop = release_on_stop_,
                                               .on_started_leading = [this] { ++started_; },
                                               .on_stopped_leading = [this] { ++stopped_; }});
    if (!elector) return ::testing::AssertionFailure() << elector.error().message;
    elector_ = std::move(*elector);
    thread_ = std::jthread([this](std::stop_token stop) { elector_->Run(stop); });
    return ::testing::AssertionSuccess();
  }

  // Stops Run: with release_on_stop a graceful shutdown, without it a crash as seen from the
  // Lease (no further write).
  void Stop() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
  }

  bool IsLeader() const { return elector_ != nullptr && elector_->IsLeader(); }
  const std::string& identity() const { return identity_; }
  int started() const { return started_.load(); }
  int stopped() const { return stopped_.load(); }

 private:
  const std::string identity_;
  const std::string ns_;
  const bool release_on_stop_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::atomic<int> started_{0};
  std::atomic<int> stopped_{0};
  std::jthread thread_;  // last: stopped and joined before the rest is destroyed
};

class LeaderElectionContractTest : public E2ETest {
 protected:
  // Starts candidates "replica-a" and "replica-b" and waits until one leads; returns it.
  void StartBoth(bool release_on_stop) {
    a_ = std::make_unique<Candidate>("replica-a", ns(), release_on_stop);
    b_ = std::make_unique<Candidate>("replica-b", ns(), release_on_stop);
    ASSERT_TRUE(a_->Start());
    ASSERT_TRUE(b_->Start());
    ASSERT_TRUE(Eventually([&] { return a_->IsLeader() || b_->IsLeader(); }, 30s))
        << "nobody acquired the Lease";
    leader_ = a_->IsLeader() ? a_.get() : b_.get();
    follower_ = leader_ == a_.get() ? b_.get() : a_.get();
  }

  void TearDown() override {
    if (a_) a_->Stop();
    if (b_) b_->Stop();
    E2ETest::TearDown();
  }

  nlohmann::json LeaseSpec() {
    return KubectlJson({"-n", ns(), "get", "lease", kLeaseName})
        .value("spec", nlohmann::json::object());
  }

  // Watches both candidates for a few renew periods: never both leading, the leader stays.
  void ExpectStableSingleLeader() {
    for (int i = 0; i < 20; ++i) {
      ASSERT_FALSE(a_->IsLeader() && b_->IsLeader()) << "two leaders";
      ASSERT_TRUE(leader_->IsLeader()) << leader_->identity() << " lost the lead";
      std::this_thread::sleep_for(kRetryPeriod / 4);
    }
  }

  std::unique_ptr<Candidate> a_, b_;
  Candidate* leader_ = nullptr;
  Candidate* follower_ = nullptr;
};

TEST_F(LeaderElectionContractTest, ExactlyOneLeadsAndAReleaseHandsOverWithinTheLease) {
  StartBoth(/*release_on_stop=*/true);
  ExpectStableSingleLeader();
  EXPECT_EQ(LeaseSpec().value("holderIdentity", ""), leader_->identity());
  EXPECT_EQ(LeaseSpec().value("leaseDurationSeconds", 0), kLeaseDuration.count());
  EXPECT_EQ(leader_->started(), 1);
  EXPECT_EQ(follower_->started(), 0);
  const int transitions = LeaseSpec().value("leaseTransitions", -1);

  leader_->Stop();  // graceful: releases the Lease
  EXPECT_FALSE(leader_->IsLeader());
  EXPECT_EQ(leader_->stopped(), 1);
  EXPECT_TRUE(Eventually([&] { return follower_->IsLeader(); }, kLeaseDuration))
      << follower_->identity() << " did not take over a released Lease within the lease duration";
  EXPECT_TRUE(Eventually(
      [&] { return LeaseSpec().value("holderIdentity", "") == follower_->identity(); }, 10s))
      << LeaseSpec().dump();
  EXPECT_EQ(LeaseSpec().value("leaseTransitions", -1), transitions + 1);
}

TEST_F(LeaderElectionContractTest, LeaderThatStopsRenewingIsReplacedAfterItsLeaseExpires) {
  StartBoth(/*release_on_stop=*/false);
  ExpectStableSingleLeader();
  EXPECT_EQ(LeaseSpec().value("holderIdentity", ""), leader_->identity());

  leader_->Stop();  // no release: the Lease still names the stopped leader
  EXPECT_EQ(LeaseSpec().value("holderIdentity", ""), leader_->identity());
  // The follower saw the last renewal at most one retry period late, counts the lease duration
  // from then, and notices the expiry at its next attempt: lease + 2 retry periods at most.
  EXPECT_TRUE(
      Eventually([&] { return follower_->IsLeader(); }, kLeaseDuration + 2 * kRetryPeriod + 1s))
      << follower_->identity() << " did not take over an expired Lease";
  EXPECT_TRUE(Eventually(
      [&] { return LeaseSpec().value("holderIdentity", "") == follower_->identity(); }, 10s))
      << LeaseSpec().dump();
  EXPECT_EQ(follower_->started(), 1);
}

}  // namespace
}  // namespace csp::e2e
