// LatestPlanWriter on a real thread: only the newest plan is written, `verify` survives being
// replaced, a failed write is tried again (a newer plan instead when one came), InSync.
#include "csp/agent/latest_plan_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace csp::agent {
namespace {

using namespace std::chrono_literals;

// Polls `done` for up to 10 s.
bool Eventually(const std::function<bool()>& done) {
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
    if (done()) return true;
  }
  return done();
}

struct Plan {
  std::uint64_t sequence = 0;
  bool verify = false;
  std::string value = {};
};

// The writes the loop made, and what the next ones answer. Waits are bounded so that a broken
// loop fails the test instead of hanging it.
class Recorder {
 public:
  Status Write(const Plan& plan) {
    std::unique_lock lock(mu_);
    ++started_;
    changed_.notify_all();
    // A write may be held until the test has posted what it wants queued behind it.
    changed_.wait_for(lock, 10s, [&] { return !hold_; });
    written_.push_back(plan);
    changed_.notify_all();
    if (failures_.empty()) return {};
    Status s = failures_.front();
    failures_.erase(failures_.begin());
    return s;
  }
  void Hold(bool hold) {
    std::lock_guard lock(mu_);
    hold_ = hold;
    changed_.notify_all();
  }
  void FailNext(Status s) {
    std::lock_guard lock(mu_);
    failures_.push_back(std::move(s));
  }
  std::vector<Plan> WaitFor(std::size_t writes) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, 10s, [&] { return written_.size() >= writes; });
    return written_;
  }
  bool WaitStarted(int writes) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, 10s, [&] { return started_ >= writes; });
  }
  std::vector<Plan> Written() {
    std::lock_guard lock(mu_);
    return written_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool hold_ = false;
  int started_ = 0;
  std::vector<Status> failures_;
  std::vector<Plan> written_;
};

TEST(LatestPlanWriterTest, WritesOnlyTheNewestPlanAndKeepsVerify) {
  Recorder rec;
  LatestPlanWriter<Plan> writer([&](const Plan& p, std::stop_token) { return rec.Write(p); }, 10ms);
  rec.Hold(true);
  std::jthread thread([&](std::stop_token stop) { writer.Run(stop); });
  writer.Post({.value = "first"});
  // While "first" is being written, three more come; only the last is written, and the first
  // of them asked for a verify.
  ASSERT_TRUE(rec.WaitStarted(1));
  writer.Post({.verify = true, .value = "second"});
  writer.Post({.value = "third"});
  EXPECT_TRUE(writer.NewerWaiting(1));
  writer.Post({.value = "fourth"});
  rec.Hold(false);
  const std::vector<Plan> written = rec.WaitFor(2);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].value, "first");
  EXPECT_EQ(written[0].sequence, 1u);
  EXPECT_EQ(written[1].value, "fourth");
  EXPECT_EQ(written[1].sequence, 4u);
  EXPECT_TRUE(written[1].verify) << "a replaced verify plan's verify was lost";
  EXPECT_FALSE(writer.NewerWaiting(4));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rec.Written().size(), 2u) << "a plan was written twice";
  EXPECT_TRUE(Eventually([&] { return writer.InSync(); }));
}

TEST(LatestPlanWriterTest, AFailedWriteIsTriedAgainWithoutItsVerify) {
  Recorder rec;
  LatestPlanWriter<Plan> writer([&](const Plan& p, std::stop_token) { return rec.Write(p); }, 10ms);
  rec.FailNext(Error{Code::kAborted, "409"});
  rec.FailNext(Error{Code::kUnavailable, "503"});
  std::jthread thread([&](std::stop_token stop) { writer.Run(stop); });
  writer.Post({.verify = true, .value = "a"});
  const std::vector<Plan> written = rec.WaitFor(3);
  ASSERT_EQ(written.size(), 3u);
  for (const Plan& p : written) EXPECT_EQ(p.value, "a");
  EXPECT_TRUE(written[0].verify);
  EXPECT_FALSE(written[1].verify) << "a retry compares with what the failed round wrote";
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rec.Written().size(), 3u) << "written again after it succeeded";
  EXPECT_TRUE(Eventually([&] { return writer.InSync(); }));
}

TEST(LatestPlanWriterTest, ANewerPlanReplacesOneWaitingForItsRetry) {
  Recorder rec;
  // A retry an hour away: only the newer plan can be written next.
  LatestPlanWriter<Plan> writer([&](const Plan& p, std::stop_token) { return rec.Write(p); }, 1h);
  rec.FailNext(Error{Code::kUnavailable, "503"});
  std::jthread thread([&](std::stop_token stop) { writer.Run(stop); });
  writer.Post({.value = "old"});
  ASSERT_EQ(rec.WaitFor(1).size(), 1u);
  writer.Post({.value = "new"});
  const std::vector<Plan> written = rec.WaitFor(2);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[1].value, "new");
  EXPECT_TRUE(Eventually([&] { return writer.InSync(); }));
  EXPECT_EQ(rec.Written().size(), 2u) << "the failed old plan was written again";
}

TEST(LatestPlanWriterTest, StopEndsTheLoopWhileItWaits) {
  Recorder rec;
  LatestPlanWriter<Plan> writer([&](const Plan& p, std::stop_token) { return rec.Write(p); }, 1h);
  std::jthread thread([&](std::stop_token stop) { writer.Run(stop); });
  thread.request_stop();
  thread.join();  // returns: a loop that ignored stop would hang here (and time the test out)
  EXPECT_TRUE(rec.Written().empty());
  EXPECT_FALSE(writer.InSync());
}

}  // namespace
}  // namespace csp::agent
