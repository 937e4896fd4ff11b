// KeyDispatcher with the real work queue and two workers: one namespace is never reconciled by
// two workers at once, and a namespace that keeps failing does not hold back policy status.
#include "csp/manager/key_dispatch.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <thread>

#include "csp/manager/queue_keys.h"

namespace csp::manager {
namespace {

using namespace std::chrono_literals;

// Runs `workers` threads taking keys from the queue into the dispatcher until it shuts down.
class Workers {
 public:
  Workers(kube::WorkQueue& queue, KeyDispatcher& dispatcher, int workers) : queue_(queue) {
    for (int i = 0; i < workers; ++i) {
      threads_.emplace_back([&queue, &dispatcher] {
        while (auto key = queue.Get()) {
          dispatcher.Process(*key);
          queue.Done(*key);
        }
      });
    }
  }
  ~Workers() { Stop(); }
  void Stop() {
    queue_.ShutDownWithDrain();
    threads_.clear();
  }

 private:
  kube::WorkQueue& queue_;
  std::vector<std::jthread> threads_;
};

// Shared state of the fake reconcilers, and waits on it (bounded, so that a broken dispatcher
// fails the test instead of hanging it).
struct Recorder {
  std::mutex mu;
  std::condition_variable changed;
  std::map<std::string, int> running;      // namespace -> reconciles in progress
  std::map<std::string, int> max_running;  // namespace -> most at once
  std::vector<std::string> log;            // "ns remediate" per namespace reconcile begun

  void Enter(const std::string& ns, bool remediate) {
    std::lock_guard lock(mu);
    max_running[ns] = std::max(max_running[ns], ++running[ns]);
    log.push_back(ns + (remediate ? " remediate" : " report"));
    changed.notify_all();
  }
  void Leave(const std::string& ns) {
    std::lock_guard lock(mu);
    --running[ns];
    changed.notify_all();
  }
  // The policy passes' failed namespaces, in order.
  std::vector<std::vector<std::string>> policy_passes;
  Status PolicyPass(const std::vector<std::string>& failed) {
    std::lock_guard lock(mu);
    policy_passes.push_back(failed);
    changed.notify_all();
    return {};
  }
  bool WaitUntil(const std::function<bool()>& done) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, 10s, done);
  }
};

// Actions that do nothing but `reconcile_namespace`.
KeyActions QuietActions(
    std::function<NamespaceOutcome(const std::string&, bool)> reconcile_namespace) {
  return {.reconcile_namespace = std::move(reconcile_namespace),
          .reconcile_policy = [](const std::string&,
                                 const std::vector<std::string>&) { return Status(); },
          .requeue_policies = [] {},
          .nodes = [] {},
          .expiry = [] {}};
}

// Actions whose policy passes go to `rec` and whose policy requeue queues "policy/p".
KeyActions PolicyRecordingActions(
    kube::WorkQueue& queue, Recorder& rec,
    std::function<NamespaceOutcome(const std::string&, bool)> reconcile_namespace) {
  return {.reconcile_namespace = std::move(reconcile_namespace),
          .reconcile_policy =
              [&rec](const std::string&, const std::vector<std::string>& failed) {
                return rec.PolicyPass(failed);
              },
          .requeue_policies = [&queue] { queue.AddAfter(PolicyKey("p"), kPolicyDelay); },
          .nodes = [] {},
          .expiry = [] {}};
}

TEST(KeyDispatchTest, ObservesHowLongEachKeyWaitedInTheQueue) {
  kube::WorkQueue queue;
  ReconcileMetrics metrics;
  KeyDispatcher dispatcher(
      queue, QuietActions([](const std::string&, bool) { return NamespaceOutcome{}; }), metrics);
  dispatcher.Process(NamespaceKey("a"), 250ms);
  dispatcher.Process(std::string(kNodesKey), 50ms);
  EXPECT_EQ(metrics.queued_seconds.Count(), 2u);
  EXPECT_NEAR(metrics.queued_seconds.Sum(), 0.3, 1e-9);
  EXPECT_EQ(metrics.seconds.Count(), 2u);
}

TEST(KeyDispatchTest, TwoWorkersNeverReconcileOneNamespaceAtOnce) {
  kube::WorkQueue queue;
  ReconcileMetrics metrics;
  Recorder rec;
  bool release = false;
  bool remediating = false;
  KeyDispatcher dispatcher(queue, QuietActions([&](const std::string& ns, bool remediate) {
                             rec.Enter(ns, remediate);
                             NamespaceOutcome out;
                             if (ns == "a" && remediate) {
                               // The remediation of "a" holds its worker until the test lets it go.
                               std::unique_lock lock(rec.mu);
                               remediating = true;
                               rec.changed.notify_all();
                               rec.changed.wait_for(lock, 10s, [&] { return release; });
                             } else if (ns == "a") {
                               std::lock_guard lock(rec.mu);
                               out.needs_remediation = !remediating && !release;
                             }
                             rec.Leave(ns);
                             return out;
                           }),
                           metrics);
  Workers workers(queue, dispatcher, 2);

  queue.Add(NamespaceKey("a"));
  ASSERT_TRUE(rec.WaitUntil([&] { return remediating; })) << "no remediation pass of a";
  // A change in "a" while its remediation runs, then one in "b". The idle worker takes keys in
  // queue order: once "b" has run, whatever "a" was to run concurrently has begun.
  queue.Add(NamespaceKey("a"));
  queue.Add(NamespaceKey("b"));
  ASSERT_TRUE(rec.WaitUntil([&] { return rec.max_running.contains("b"); })) << "b never ran";
  {
    std::lock_guard lock(rec.mu);
    release = true;
    rec.changed.notify_all();
  }
  workers.Stop();
  EXPECT_EQ(rec.max_running["a"], 1) << "two workers reconciled namespace a at once";
  // The change that came during the remediation was still acted on, after it.
  ASSERT_FALSE(rec.log.empty());
  EXPECT_EQ(rec.log.back().substr(0, 2), "a ");
}

TEST(KeyDispatchTest, AFailingNamespaceDoesNotHoldBackPolicyStatus) {
  kube::WorkQueue queue;
  ReconcileMetrics metrics;
  Recorder rec;
  KeyDispatcher dispatcher(
      queue,
      PolicyRecordingActions(queue, rec,
                             [&](const std::string& ns, bool remediate) {
                               rec.Enter(ns, remediate);
                               rec.Leave(ns);
                               NamespaceOutcome out{.changed_policies = {"p"}};
                               if (ns == "broken") {
                                 out.status = Error{Code::kUnavailable, "forbidden, say"};
                               }
                               return out;
                             }),
      metrics);
  dispatcher.ExpectNamespaces({"fine", "broken"});
  Workers workers(queue, dispatcher, 2);
  queue.Add(NamespaceKey("fine"));
  queue.Add(NamespaceKey("broken"));
  queue.AddAfter(PolicyKey("p"), kPolicyDelay);
  EXPECT_TRUE(rec.WaitUntil([&] { return !rec.policy_passes.empty(); }))
      << "policy status waited for a namespace that keeps failing";
  workers.Stop();
  ASSERT_FALSE(rec.policy_passes.empty());
  EXPECT_EQ(rec.policy_passes.back(), std::vector<std::string>{"broken"})
      << "the status must name it";
}

TEST(KeyDispatchTest, ANamespaceThatRecoversIsNoLongerNamed) {
  kube::WorkQueue queue;
  ReconcileMetrics metrics;
  Recorder rec;
  int failures_left = 2;
  KeyDispatcher dispatcher(
      queue,
      PolicyRecordingActions(queue, rec,
                             [&](const std::string& ns, bool) {
                               NamespaceOutcome out;
                               std::lock_guard lock(rec.mu);
                               if (ns == "flaky" && failures_left > 0) {
                                 --failures_left;
                                 out.status = Error{Code::kUnavailable, "try again"};
                               }
                               return out;
                             }),
      metrics);
  dispatcher.ExpectNamespaces({"flaky"});
  Workers workers(queue, dispatcher, 2);
  queue.Add(NamespaceKey("flaky"));
  // Its recovery queues the policies again, and their status no longer names it.
  EXPECT_TRUE(rec.WaitUntil([&] {
    return failures_left == 0 && !rec.policy_passes.empty() && rec.policy_passes.back().empty();
  }));
  workers.Stop();
}

}  // namespace
}  // namespace csp::manager
