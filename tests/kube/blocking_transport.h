// A scripted HttpTransport for code that runs in a loop on its own thread (informers): it plays
// its Steps in order and, when they run out, blocks the next Stream until stop is requested, so
// that the loop comes to rest and the test can look at what happened.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stop_token>
#include <utility>
#include <vector>

#include "csp/kube/transport.h"
#include "fakes.h"

namespace csp::kube::testing {

class BlockingTransport final : public HttpTransport {
 public:
  explicit BlockingTransport(std::vector<Step> steps) : steps_(steps.begin(), steps.end()) {}

  // A Send past the script fails (kInternal), so an unexpected request shows in `requests`.
  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (steps_.empty()) return Error{Code::kInternal, "no scripted step left"};
    Step step = std::move(steps_.front());
    steps_.pop_front();
    return step.outcome;
  }

  Result<HttpResponse> Stream(const HttpRequest& request, std::chrono::seconds,
                              const ChunkCallback& on_chunk, std::stop_token stop) override {
    Step step;
    {
      std::unique_lock lock(mu_);
      requests_.push_back(request);
      if (steps_.empty()) {
        // Out of script: the loop is at rest until the test stops it.
        idle_ = true;
        cv_.notify_all();
        cv_.wait(lock, stop, [] { return false; });
        return Error{Code::kAborted, "stopped"};
      }
      step = std::move(steps_.front());
      steps_.pop_front();
    }
    if (!step.outcome || step.outcome->status < 200 || step.outcome->status > 299) {
      return step.outcome;
    }
    for (const std::string& chunk : step.chunks) {
      if (!on_chunk(chunk)) break;
    }
    return step.outcome;
  }

  // Waits (real time, as a guard against a hung test) until a Stream blocks past the script.
  bool WaitIdle(std::chrono::seconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return idle_; });
  }

  std::vector<HttpRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<Step> steps_;
  std::vector<HttpRequest> requests_;
  bool idle_ = false;
};

}  // namespace csp::kube::testing
