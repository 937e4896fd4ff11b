// Reflector: the list/watch loop behind an Informer, independent of what the cache stores.
//
// It LISTs the resource (paginated), then WATCHes from the list's resourceVersion with
// bookmarks, and hands the results to a ReflectorSink on its own thread:
//   - a BOOKMARK only moves the resourceVersion;
//   - a watch that the server ends after delivering something (its timeoutSeconds) is
//     restarted at once from the last resourceVersion; one that delivered nothing waits a
//     backoff first, so that a misbehaving server cannot make it spin;
//   - 410 Gone (the version was compacted away) relists at once and hands the sink the whole
//     new state, which the sink diffs against its cache;
//   - any other failure (connection refused or lost, torn stream, timeout, 5xx, 403) waits a
//     jittered exponential backoff, then lists again if no list has succeeded yet, else
//     watches again from the last resourceVersion.
// It never polls: after the first list, only 410 Gone causes another.
//
// With InformerOptions::streaming_list, each list is a watch that sends the current state first
// (WatchOptions::send_initial_events): its ADDED events go to the sink as list items, its
// initial-events-end BOOKMARK finishes the list, and the same stream goes on as the watch. A
// server that refuses such a watch (4xx other than 403/404/410/429, e.g. its WatchList feature
// off) gets paginated LISTs from then on.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/kube/client.h"
#include "csp/kube/clock.h"
#include "csp/kube/resource_ref.h"
#include "csp/kube/watch_stream.h"

namespace csp::kube {

struct InformerOptions {
  ResourceRef resource = {};
  std::string ns = {};  // "" for all namespaces (and for cluster-scoped resources)
  std::string label_selector = {};
  std::string field_selector = {};
  std::int64_t page_size = 500;
  // Skipped while each LIST page is parsed (ListOptions::drop_item_fields).
  std::vector<std::string> drop_list_item_fields = {};
  // Each watch asks the server to end it after a random time in [min_watch_timeout,
  // 2 * min_watch_timeout), as client-go does, so that watches do not all restart together.
  std::chrono::seconds min_watch_timeout{300};
  // Lists by a streaming watch instead of LIST pages (above). The server sends whole objects
  // then (drop_list_item_fields does not apply), one per event, and never a page of them.
  bool streaming_list = false;
  // Backoff after a failure: full jitter over base * 2^n, at most max. Reset by a success.
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_max{10'000};
  Clock* clock = nullptr;                       // nullptr: SteadyClock()
  std::function<double()> uniform01 = nullptr;  // draws from [0, 1); nullptr: seeded PRNG
  // Told about every failed list or watch, from the informer's thread (to log it). The
  // informer recovers by itself; nothing needs to be done.
  std::function<void(const Error& error)> on_error = nullptr;
};

// Counters for /metrics. Read at any time.
struct InformerStats {
  std::uint64_t lists = 0;           // successful LISTs, the first included
  std::uint64_t relists = 0;         // successful LISTs after the first (after 410 Gone)
  std::uint64_t watches = 0;         // WATCH requests made
  std::uint64_t watch_restarts = 0;  // WATCH requests after the first
  std::uint64_t events = 0;          // ADDED, MODIFIED and DELETED events received
  std::uint64_t errors = 0;          // failed LISTs and WATCHes (410 Gone included)
};

// Receives what the reflector learns, always from the reflector's thread, in order.
class ReflectorSink {
 public:
  virtual ~ReflectorSink() = default;
  // A LIST, streamed so that it is never held whole: StartList, then AddListItem for each item
  // as its page arrives, then FinishList once the list is complete (the current state, from
  // the first LIST or a relist). StartList again drops what was added: the list started over,
  // or failed and will be retried.
  virtual void StartList() = 0;
  virtual void AddListItem(nlohmann::json item) = 0;
  virtual void FinishList() = 0;
  // One ADDED, MODIFIED or DELETED event (never BOOKMARK or ERROR).
  virtual void Apply(const WatchEvent& event) = 0;
};

class Reflector {
 public:
  Reflector(Client& client, InformerOptions options, ReflectorSink& sink);
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  // Lists and watches until `stop` is requested. Call it once, on a thread of its own.
  void Run(std::stop_token stop);

  // True once the first LIST has been handed to the sink (and its FinishList returned).
  bool HasSynced() const { return synced_.load(); }
  // Blocks until HasSynced() or `stop`; returns HasSynced().
  bool WaitForSync(std::stop_token stop) const;
  // Blocks until HasSynced() or `timeout` of real time passes; returns HasSynced().
  bool WaitForSyncFor(std::chrono::milliseconds timeout) const;

  InformerStats Stats() const;
  // The resourceVersion the next watch would start from ("" before the first list).
  std::string LastResourceVersion() const;
  const InformerOptions& options() const { return options_; }

 private:
  // One LIST into the sink; false (after reporting the error) if it failed.
  bool List();
  // One WATCH from resource_version_ into the sink.
  Status Watch(std::stop_token stop, bool& delivered);
  // One streaming list into the sink, going on as a WATCH once the list is complete (then
  // `listed` is set); a stream that ends before that leaves the sink's list dropped.
  Status StreamList(std::stop_token stop, bool& delivered, bool& listed);
  // Hands one watch event to the sink and moves the resourceVersion.
  void ApplyEvent(const WatchEvent& event);
  void MarkSynced();
  std::int64_t WatchTimeoutSeconds();
  void Backoff(int failures, std::stop_token stop);
  void Report(const Error& error);
  double Uniform01();
  void SetResourceVersion(std::string rv);

  Client& client_;
  const InformerOptions options_;
  ReflectorSink& sink_;
  Clock& clock_;
  std::function<double()> uniform01_;

  mutable std::mutex mu_;  // guards resource_version_ and the sync wait
  mutable std::condition_variable_any synced_cv_;
  std::string resource_version_;
  std::atomic<bool> synced_{false};
  bool streaming_list_;  // until the server refuses it; the reflector's thread only
  std::atomic<std::uint64_t> lists_{0}, watches_{0}, events_{0}, errors_{0};
};

}  // namespace csp::kube
