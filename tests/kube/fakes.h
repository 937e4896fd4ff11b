// Test doubles at csp_kube's seams: a manual clock and a scripted HttpTransport.
#pragma once

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "csp/kube/clock.h"
#include "csp/kube/transport.h"

namespace csp::kube::testing {

// Time moves only when a test advances it or code sleeps on it; sleeps are recorded.
// Thread-safe, so that concurrent callers can share it.
class FakeClock final : public Clock {
 public:
  TimePoint Now() override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void SleepFor(Duration d) override {
    std::lock_guard lock(mu_);
    sleeps.push_back(d);
    now_ += d;
  }
  void Advance(Duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

  std::vector<Duration> sleeps;  // read it only when no other thread is using the clock

 private:
  std::mutex mu_;
  TimePoint now_{};  // the epoch of steady_clock; only differences matter
};

// One scripted outcome: a response, a transport Error, or (for Stream) body chunks.
struct Step {
  Result<HttpResponse> outcome = HttpResponse{.status = 200};
  std::vector<std::string> chunks = {};  // Stream only: delivered one by one to on_chunk
};

inline Step Respond(int status, std::string body = "{}", Headers headers = {}) {
  return {HttpResponse{.status = status, .headers = std::move(headers), .body = std::move(body)}};
}
inline Step Fail(Code code, std::string message = "scripted failure") {
  return {Error{code, std::move(message)}};
}
inline Step Chunks(std::vector<std::string> chunks, int status = 200) {
  return {HttpResponse{.status = status}, std::move(chunks)};
}

// Plays Steps in order and records every request. Running out of steps fails the exchange
// with kInternal, so an unexpected extra request shows up in the test's assertions.
class ScriptedTransport final : public HttpTransport {
 public:
  explicit ScriptedTransport(std::vector<Step> steps) : steps_(steps.begin(), steps.end()) {}

  Result<HttpResponse> Send(const HttpRequest& request) override { return Next(request).outcome; }

  Result<HttpResponse> Stream(const HttpRequest& request, std::chrono::seconds idle_timeout,
                              const ChunkCallback& on_chunk, std::stop_token) override {
    Step step = Next(request, idle_timeout);
    if (!step.outcome || step.outcome->status < 200 || step.outcome->status > 299) {
      return step.outcome;
    }
    for (const std::string& chunk : step.chunks) {
      ++chunks_delivered;
      if (!on_chunk(chunk)) break;
    }
    return step.outcome;
  }

  // Read these only when no other thread is using the transport.
  std::vector<HttpRequest> requests;
  std::vector<std::chrono::seconds> idle_timeouts;
  int chunks_delivered = 0;

 private:
  Step Next(const HttpRequest& request,
            std::optional<std::chrono::seconds> idle_timeout = std::nullopt) {
    std::lock_guard lock(mu_);
    requests.push_back(request);
    if (idle_timeout) idle_timeouts.push_back(*idle_timeout);
    if (steps_.empty()) return Fail(Code::kInternal, "no scripted step left");
    Step step = std::move(steps_.front());
    steps_.pop_front();
    return step;
  }

  std::mutex mu_;
  std::deque<Step> steps_;
};

// A fresh folder under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "csp-kube-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `content` to path()/relative, creating folders; returns the full path.
  std::filesystem::path Write(const std::string& relative, const std::string& content) const {
    const auto full = path_ / relative;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary | std::ios::trunc) << content;
    return full;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace csp::kube::testing
