// EventRecorder: Events are sent in order by a thread of their own; a full queue drops the
// newest; Drain sends what it can and stops before the Lease is released.
#include "csp/manager/event_recorder.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "csp/manager/resources.h"
#include "fake_api_server.h"

namespace csp::manager {
namespace {

using namespace std::chrono_literals;

// Holds every request at the server until opened: an Event stays in flight.
class Gate {
 public:
  void Pass() {
    std::unique_lock lock(mu_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  void WaitForWaiters(int n) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

policy::WorkloadRef Web(std::string name) {
  return {.api_version = "apps/v1", .kind = "Deployment", .ns = "shop", .name = std::move(name)};
}

const controllers::Event kLabeled{"Warning", "Labeled", "containersecurity.dev/compliant=false"};

class EventRecorderTest : public ::testing::Test {
 protected:
  EventRecorderTest() {
    auto transport = std::make_unique<test::FakeApiServer>();
    server_ = transport.get();
    client_ = std::make_unique<kube::Client>(std::move(transport),
                                             kube::RestConfig{.server = "https://fake"},
                                             kube::ClientOptions{.qps = 0});
  }

  std::vector<std::string> Posted() const { return server_->requests("POST"); }

  test::FakeApiServer* server_ = nullptr;
  std::unique_ptr<kube::Client> client_;
  const std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
};

TEST_F(EventRecorderTest, SendsQueuedEventsInOrder) {
  EventRecorder events(*client_, "test");
  for (const char* name : {"a", "b", "c"}) EXPECT_TRUE(events.Record(Web(name), kLabeled, now_));
  events.Flush();
  EXPECT_EQ(events.sent(), 3u);
  EXPECT_EQ(events.dropped(), 0u);
  EXPECT_EQ(Posted(), std::vector<std::string>(3, "POST " + kEvents.CollectionPath("shop")));
  auto stored = client_->ListAll(kEvents, "shop");
  ASSERT_TRUE(stored) << stored.error().message;
  // Created in the order of their resourceVersions.
  std::map<long, std::string> by_version;
  for (const auto& e : stored->items) {
    by_version[std::stol(e["metadata"].value("resourceVersion", "0"))] =
        e["involvedObject"].value("name", "");
  }
  std::vector<std::string> about;
  for (const auto& [version, name] : by_version) about.push_back(name);
  EXPECT_EQ(about, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(EventRecorderTest, FullQueueDropsTheNewestWithoutBlocking) {
  Gate gate;
  server_->on_request = [&] { gate.Pass(); };
  EventRecorder events(*client_, "test", /*max_queued=*/2);
  ASSERT_TRUE(events.Record(Web("in-flight"), kLabeled, now_));
  gate.WaitForWaiters(1);  // taken off the queue, held at the server
  EXPECT_TRUE(events.Record(Web("queued-1"), kLabeled, now_));
  EXPECT_TRUE(events.Record(Web("queued-2"), kLabeled, now_));
  EXPECT_FALSE(events.Record(Web("dropped"), kLabeled, now_));
  EXPECT_EQ(events.dropped(), 1u);
  gate.Open();
  events.Flush();
  EXPECT_EQ(events.sent(), 3u);
  EXPECT_EQ(Posted().size(), 3u);
}

TEST_F(EventRecorderTest, FailedEventsAreCountedNotRetriedForever) {
  server_->forbidden = {"POST " + kEvents.CollectionPath("shop")};
  EventRecorder events(*client_, "test");
  EXPECT_TRUE(events.Record(Web("a"), kLabeled, now_));
  events.Flush();
  EXPECT_EQ(events.failed(), 1u);
  EXPECT_EQ(events.sent(), 0u);
}

TEST_F(EventRecorderTest, DrainStopsAtTheDeadlineAndRefusesMore) {
  Gate gate;
  server_->on_request = [&] { gate.Pass(); };
  EventRecorder events(*client_, "test");
  ASSERT_TRUE(events.Record(Web("in-flight"), kLabeled, now_));
  gate.WaitForWaiters(1);
  ASSERT_TRUE(events.Record(Web("left-behind"), kLabeled, now_));
  // The in-flight Event is let through only once Drain has given up on the queued one.
  std::jthread opener([&] {
    while (events.dropped() == 0) std::this_thread::sleep_for(1ms);
    gate.Open();
  });
  events.Drain(10ms);
  EXPECT_EQ(events.sent(), 1u);
  EXPECT_EQ(events.dropped(), 1u);
  EXPECT_FALSE(events.Record(Web("after"), kLabeled, now_));
  EXPECT_EQ(Posted().size(), 1u);
}

// Forwards to a FakeApiServer; the first `lose` POSTs are made there but answer "connection
// lost", as when kube-apiserver dies after writing.
class LosingTransport final : public kube::HttpTransport {
 public:
  LosingTransport(test::FakeApiServer& server, int lose) : server_(server), lose_(lose) {}
  Result<kube::HttpResponse> Send(const kube::HttpRequest& request) override {
    auto answer = server_.Send(request);
    if (request.method == "POST" && lose_-- > 0) {
      return Error{Code::kAborted, "connection lost: Failed to read response"};
    }
    return answer;
  }
  Result<kube::HttpResponse> Stream(const kube::HttpRequest& request,
                                    std::chrono::seconds idle_timeout,
                                    const kube::ChunkCallback& on_chunk,
                                    std::stop_token stop) override {
    return server_.Stream(request, idle_timeout, on_chunk, stop);
  }

 private:
  test::FakeApiServer& server_;
  int lose_;
};

TEST_F(EventRecorderTest, ConnectionLostIsTriedAgainWithoutASecondEvent) {
  kube::Client losing(std::make_unique<LosingTransport>(*server_, 2),
                      kube::RestConfig{.server = "https://fake"}, kube::ClientOptions{.qps = 0});
  EventRecorder events(losing, "test");
  ASSERT_TRUE(events.Record(Web("a"), kLabeled, now_));
  events.Flush();
  EXPECT_EQ(events.sent(), 1u);
  EXPECT_EQ(events.failed(), 0u);
  EXPECT_EQ(Posted().size(), 3u) << "tried again after each lost answer";
  auto stored = client_->ListAll(kEvents, "shop");
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->items.size(), 1u) << "one Event, not one per try";
}

TEST(EventNameTest, IsTheWorkloadAndAUniqueNumberWithinADnsSubdomain) {
  EXPECT_EQ(EventName("web", 0x187a3b), "web.187a3b");
  const std::string long_name = std::string(235, 'a') + "-" + std::string(17, 'b');
  const std::string name = EventName(long_name, 0x1234567890abcdefull);
  EXPECT_EQ(name.size(), 253u - 1) << "cut at the dash, which may not end a name part";
  EXPECT_TRUE(name.ends_with("a.1234567890abcdef")) << name;
}

TEST_F(EventRecorderTest, DrainSendsWhatIsQueued) {
  EventRecorder events(*client_, "test");
  for (const char* name : {"a", "b"}) EXPECT_TRUE(events.Record(Web(name), kLabeled, now_));
  events.Drain();
  EXPECT_EQ(events.sent(), 2u);
  EXPECT_EQ(events.dropped(), 0u);
}

}  // namespace
}  // namespace csp::manager
