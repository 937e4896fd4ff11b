// WorkQueue: deduplication, one worker per key, delays on a fake clock, shutdown.
#include "csp/kube/work_queue.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fakes.h"

namespace csp::kube {
namespace {

using std::chrono::milliseconds;
using testing::FakeClock;

class WorkQueueTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  WorkQueue queue_{{.clock = &clock_}};
};

TEST_F(WorkQueueTest, AddDeduplicatesQueuedKeysAndKeepsOrder) {
  queue_.Add("a");
  queue_.Add("b");
  queue_.Add("a");
  EXPECT_EQ(queue_.Len(), 2u);
  EXPECT_EQ(queue_.Get(), "a");
  EXPECT_EQ(queue_.Get(), "b");
  EXPECT_EQ(queue_.Len(), 0u);
}

TEST_F(WorkQueueTest, KeyAddedWhileProcessingIsQueuedAgainOnDone) {
  queue_.Add("a");
  ASSERT_EQ(queue_.Get(), "a");
  queue_.Add("a");
  queue_.Add("a");
  EXPECT_EQ(queue_.Len(), 0u) << "a is being processed: it must not be handed out again yet";
  queue_.Add("b");
  EXPECT_EQ(queue_.Get(), "b");
  queue_.Done("b");
  queue_.Done("a");
  EXPECT_EQ(queue_.Len(), 1u) << "the dirty key comes back once";
  EXPECT_EQ(queue_.Get(), "a");
  queue_.Done("a");
  EXPECT_EQ(queue_.Len(), 0u);
}

TEST_F(WorkQueueTest, TakeSaysHowLongTheKeyWaitedSinceTheAddThatQueuedIt) {
  queue_.Add("a");
  clock_.Advance(milliseconds(30));
  queue_.Add("a");  // already queued: the wait still counts from the first Add
  clock_.Advance(milliseconds(20));
  auto taken = queue_.Take();
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->key, "a");
  EXPECT_EQ(taken->waited, milliseconds(50));

  // Added while a worker holds it: it waits behind that processing, from this Add on.
  queue_.Add("a");
  clock_.Advance(milliseconds(70));
  queue_.Done("a");
  clock_.Advance(milliseconds(5));
  taken = queue_.Take();
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->waited, milliseconds(75));
  queue_.Done("a");

  // A delayed key waits from the end of its delay, not from AddAfter.
  queue_.AddAfter("b", milliseconds(100));
  clock_.Advance(milliseconds(108));
  taken = queue_.Take();
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->key, "b");
  EXPECT_EQ(taken->waited, milliseconds(8));
}

TEST_F(WorkQueueTest, DoneWithoutReAddDoesNotRequeue) {
  queue_.Add("a");
  ASSERT_EQ(queue_.Get(), "a");
  queue_.Done("a");
  EXPECT_EQ(queue_.Len(), 0u);
}

TEST_F(WorkQueueTest, AddAfterWaitsForTheClock) {
  queue_.AddAfter("a", milliseconds(10));
  EXPECT_EQ(queue_.Len(), 0u);
  EXPECT_EQ(queue_.NumDelayed(), 1u);
  clock_.Advance(milliseconds(9));
  EXPECT_EQ(queue_.Len(), 0u);
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(queue_.Len(), 1u);
  EXPECT_EQ(queue_.NumDelayed(), 0u);
  EXPECT_EQ(queue_.Get(), "a");
}

TEST_F(WorkQueueTest, AddAfterKeepsTheEarlierReadyTime) {
  queue_.AddAfter("late-then-early", milliseconds(50));
  queue_.AddAfter("late-then-early", milliseconds(10));
  queue_.AddAfter("early-then-late", milliseconds(10));
  queue_.AddAfter("early-then-late", milliseconds(50));
  EXPECT_EQ(queue_.NumDelayed(), 2u);
  clock_.Advance(milliseconds(10));
  EXPECT_EQ(queue_.Len(), 2u);
  EXPECT_EQ(queue_.NumDelayed(), 0u);
}

TEST_F(WorkQueueTest, DelayedKeysBecomeReadyInTimeOrder) {
  queue_.AddAfter("third", milliseconds(30));
  queue_.AddAfter("first", milliseconds(10));
  queue_.AddAfter("second", milliseconds(20));
  clock_.Advance(milliseconds(30));
  EXPECT_EQ(queue_.Get(), "first");
  EXPECT_EQ(queue_.Get(), "second");
  EXPECT_EQ(queue_.Get(), "third");
}

TEST_F(WorkQueueTest, AddAfterZeroAddsNowAndDeduplicatesWithQueued) {
  queue_.Add("a");
  queue_.AddAfter("a", milliseconds(0));
  queue_.AddAfter("b", milliseconds(-5));
  EXPECT_EQ(queue_.Len(), 2u);
  EXPECT_EQ(queue_.NumDelayed(), 0u);
}

TEST_F(WorkQueueTest, DelayedKeyThatIsAlreadyQueuedIsNotDuplicated) {
  queue_.Add("a");
  queue_.AddAfter("a", milliseconds(5));
  clock_.Advance(milliseconds(5));
  EXPECT_EQ(queue_.Len(), 1u);
}

TEST_F(WorkQueueTest, AddRateLimitedBacksOffExponentiallyUntilForgotten) {
  // 5 ms, 10 ms, 20 ms: each retry waits exactly its delay on the clock.
  for (const milliseconds delay : {milliseconds(5), milliseconds(10), milliseconds(20)}) {
    queue_.AddRateLimited("k");
    clock_.Advance(delay - milliseconds(1));
    ASSERT_EQ(queue_.Len(), 0u) << "retry after " << delay.count() << " ms came early";
    clock_.Advance(milliseconds(1));
    ASSERT_EQ(queue_.Len(), 1u) << "retry after " << delay.count() << " ms did not come";
    ASSERT_EQ(queue_.Get(), "k");
    queue_.Done("k");
  }
  EXPECT_EQ(queue_.NumRequeues("k"), 3);
  queue_.Forget("k");
  EXPECT_EQ(queue_.NumRequeues("k"), 0);
  queue_.AddRateLimited("k");
  clock_.Advance(milliseconds(5));
  EXPECT_EQ(queue_.Len(), 1u) << "after Forget the backoff starts at 5 ms again";
}

TEST_F(WorkQueueTest, ShutDownHandsOutQueuedKeysThenNothing) {
  queue_.Add("a");
  queue_.AddAfter("delayed", milliseconds(5));
  queue_.ShutDown();
  EXPECT_TRUE(queue_.ShuttingDown());
  queue_.Add("after-shutdown");
  EXPECT_EQ(queue_.NumDelayed(), 0u) << "delayed keys are dropped";
  EXPECT_EQ(queue_.Get(), "a");
  clock_.Advance(milliseconds(5));
  EXPECT_EQ(queue_.Get(), std::nullopt);
  EXPECT_EQ(queue_.Get(), std::nullopt);
}

TEST_F(WorkQueueTest, ShutDownWakesABlockedWorker) {
  std::optional<std::string> got = "unset";
  std::thread worker([&] { got = queue_.Get(); });
  queue_.ShutDown();
  worker.join();  // hangs (and the test times out) if Get is not woken
  EXPECT_EQ(got, std::nullopt);
}

TEST_F(WorkQueueTest, ShutDownWithDrainWaitsForKeysInProcess) {
  queue_.Add("a");
  ASSERT_EQ(queue_.Get(), "a");
  std::atomic<int> step{0};
  std::atomic<int> drained_at{0};
  std::thread drainer([&] {
    queue_.ShutDownWithDrain();
    drained_at = ++step;
  });
  const int done_at = ++step;
  queue_.Done("a");
  drainer.join();
  EXPECT_GT(drained_at.load(), done_at) << "ShutDownWithDrain returned before Done";
  EXPECT_EQ(queue_.Get(), std::nullopt);
}

TEST(WorkQueueSteadyClockTest, BlockedGetWakesWhenADelayedKeyIsDue) {
  WorkQueue queue;  // the real clock: Get must wait for the delay by itself
  std::optional<std::string> got;
  std::thread worker([&] { got = queue.Get(); });
  queue.AddAfter("soon", milliseconds(2));
  worker.join();
  EXPECT_EQ(got, "soon");
}

// Several workers and a producer re-adding the same few keys: no key is ever processed by two
// workers at once, and every key is processed after its last Add.
TEST(WorkQueueConcurrencyTest, NoKeyIsProcessedTwiceAtOnce) {
  constexpr int kKeys = 4;
  constexpr int kAdds = 4000;
  constexpr int kWorkers = 4;
  WorkQueue queue;
  std::array<std::atomic<int>, kKeys> in_flight{};
  std::array<std::atomic<long>, kKeys> last_add{};
  std::array<std::atomic<long>, kKeys> last_start{};
  std::atomic<long> clock{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> processed{0};

  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.Get()) {
        const int k = std::stoi(*key);
        last_start[k] = ++clock;
        if (++in_flight[k] != 1) ++overlaps;
        for (int spin = 0; spin < 50; ++spin) std::this_thread::yield();
        --in_flight[k];
        ++processed;
        queue.Done(*key);
      }
    });
  }
  for (int i = 0; i < kAdds; ++i) {
    const int k = i % kKeys;
    last_add[k] = ++clock;
    queue.Add(std::to_string(k));
  }
  queue.ShutDown();
  for (auto& worker : workers) worker.join();

  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(processed.load(), kKeys);
  EXPECT_LE(processed.load(), kAdds) << "deduplication can only reduce the work";
  for (int k = 0; k < kKeys; ++k) {
    EXPECT_GT(last_start[k].load(), last_add[k].load()) << "key " << k << " lost its last Add";
  }
}

}  // namespace
}  // namespace csp::kube
