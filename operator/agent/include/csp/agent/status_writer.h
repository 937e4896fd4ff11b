// Writes one agent's share of the status objects: its node's report (NodeReportName(node): no
// other agent writes it), and its node's entry in each SecurityProfile's status (shared: every
// agent whose node the profile selects writes there).
//
// Each write is a read-modify-write: GET the current object, merge this node's part into it
// (MergeNodeReport, MergeProfileStatus), and PUT it back carrying the resourceVersion that was
// read. If another writer wrote in between, the API server answers 409 Conflict; then the
// writer waits and starts again from a fresh GET. The wait is a full-jitter backoff: uniform in
// [0, W * 2^(n-1)) after n conflicts in a row, where W is the number of nodes in the object (the
// agents that may be writing it) times the duration of one attempt, at least backoff_base and
// at most backoff_limit: when every agent writes at once, their next attempts spread out over
// the time they need to take turns. Only this node's part is ever changed, and a merge that
// changes nothing is not written: a steady state makes no writes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "csp/agent/node_report.h"
#include "csp/agent/profile_status.h"
#include "csp/common/result.h"
#include "csp/kube/client.h"
#include "csp/kube/clock.h"
#include "csp/names/names.h"

namespace csp::agent {

inline const kube::ResourceRef kSecurityProfiles = kube::ToResourceRef(names::kSecurityProfiles);
struct StatusWriterOptions {
  std::string node = {};
  // The APIs the node report is written in (--report-api); in the others this node's results
  // are removed, where there is such a report.
  std::vector<names::ReportApi> report_apis = {names::ReportApi::kWgPolicyK8s};
  // Attempts per write (each a GET and a PUT or POST) before giving up with kAborted; the
  // caller tries again on its next round.
  int max_attempts = 200;
  std::chrono::milliseconds backoff_base{50};       // the smallest first window
  std::chrono::milliseconds backoff_limit{60'000};  // the largest window
  std::function<double()> uniform01 = nullptr;      // draws from [0, 1); nullptr: seeded PRNG
  // The wall clock, for condition and report timestamps; nullptr: the system clock.
  std::function<std::chrono::system_clock::time_point()> now = nullptr;
  kube::Clock* clock = nullptr;  // for the backoff; nullptr: SteadyClock()
};

// Read at any time, for /metrics.
struct StatusWriterStats {
  std::atomic<std::uint64_t> writes{0};     // successful PUTs and POSTs
  std::atomic<std::uint64_t> conflicts{0};  // 409s (and creates that lost a race)
  std::atomic<std::uint64_t> errors{0};     // writes given up (other errors, or attempts used)
};

class StatusWriter {
 public:
  StatusWriter(kube::Client& client, StatusWriterOptions options);

  // Makes this node's report hold exactly `results` (creating it when there is none) in each
  // API of `report_apis`. Then, until that has once succeeded, removes this node's report in
  // the other API (not created; a missing CRD is no error) and its results from the legacy
  // shared report csp-node-profiles of both APIs (not created; deleted once it holds no
  // results, or left empty without the right to delete): after a switch or an upgrade nothing
  // stale stays. True when it wrote, false when the reports already said so.
  Result<bool> WriteNodeReport(const std::vector<NodeProfileResult>& results,
                               std::stop_token stop = {});

  // Sets this node's entry in the status of SecurityProfile `name` to `mine` (nullopt: removes
  // it). `uid` is the object the entry was decided for: if the server's object has another
  // uid (deleted and created again) or is gone, nothing is written and the result is false.
  Result<bool> WriteProfileStatus(std::string_view name, std::string_view uid,
                                  const std::optional<NodeStatusEntry>& mine,
                                  std::stop_token stop = {});

  const StatusWriterStats& stats() const { return stats_; }

 private:
  // One GET, merge and write: what came of it, and how many nodes the object read holds (the
  // agents that may be writing it too).
  struct Attempt {
    enum Kind { kWritten, kUnchanged, kConflict } kind = kConflict;
    std::size_t writers = 0;
  };
  // Makes report `name` of one API hold exactly `results` for this node; with `create` false,
  // a missing report is left missing.
  Result<bool> WriteNodeReportIn(names::ReportApi api, const std::string& name,
                                 const std::vector<NodeProfileResult>& results, bool create,
                                 std::stop_token stop);
  // Runs `attempt` until it writes or finds nothing to write, backing off after conflicts.
  Result<bool> ReadModifyWrite(std::string_view what,
                               const std::function<Result<Attempt>()>& attempt,
                               std::stop_token stop);
  // Waits after `conflicts` conflicts in a row; false when stopped.
  bool Backoff(int conflicts, std::size_t writers, kube::Clock::Duration attempt_took,
               std::stop_token stop);
  double Uniform01();
  std::chrono::system_clock::time_point Now();

  kube::Client& client_;
  StatusWriterOptions options_;
  kube::Clock& clock_;
  std::mutex rng_mu_;
  std::uint64_t rng_state_;
  StatusWriterStats stats_;
  // This node's report in the APIs not written, and its results in the legacy one, removed.
  std::atomic<bool> others_clean_{false};
};

}  // namespace csp::agent
