// LeaderElector: leader election on a coordination.k8s.io/v1 Lease, as client-go's
// leaderelection package does it.
//
// A candidate takes the Lease when it does not exist, when its holder released it (empty
// holderIdentity), or when the record has not changed for the record's leaseDurationSeconds as
// measured on this process's own clock since the candidate last saw it change (remote
// timestamps are never trusted, so clock skew between replicas does not matter). The leader
// renews every retry_period; if it cannot renew for renew_deadline, or sees another holder, it
// stops leading. Writes are PUTs carrying the observed resourceVersion, so two candidates
// racing for an expired Lease cannot both win: the loser gets a 409 and tries again next period.
//
// For the guarantee to hold, lease_duration > renew_deadline: a leader that cannot renew gives
// up before anyone else may take over. Use a Client with few retries (max_attempts 1 or 2), so
// that a single attempt cannot outlast the renew deadline.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>

#include "csp/common/result.h"
#include "csp/kube/client.h"
#include "csp/kube/clock.h"
#include "csp/kube/lease_record.h"

namespace csp::kube {

struct LeaderElectionConfig {
  std::string lease_namespace = {};
  std::string lease_name = {};
  std::string identity = {};  // unique per replica, e.g. the Pod name
  std::chrono::seconds lease_duration{15};
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
  // Run releases the Lease when stopped while leading, so that a successor need not wait for
  // it to expire. False simulates a crash.
  bool release_on_stop = true;
  Clock* clock = nullptr;  // nullptr: SteadyClock(); measures expiry and deadlines
  // Wall time for the Lease's acquireTime/renewTime (informational); nullptr: system_clock.
  std::function<std::chrono::system_clock::time_point()> wall_clock = nullptr;

  // Called from Run's thread. on_started_leading must return promptly: start the work on
  // other threads, and stop it (stop writing) in on_stopped_leading.
  std::function<void()> on_started_leading = nullptr;
  std::function<void()> on_stopped_leading = nullptr;
  // A different holder was observed (also our own identity when we acquire).
  std::function<void(const std::string& identity)> on_new_leader = nullptr;
  // A failed attempt to read or write the Lease (to log it); the elector retries by itself.
  std::function<void(const Error& error)> on_error = nullptr;
};

class LeaderElector {
 public:
  // kInvalidArgument for an empty identity, lease name or namespace, or durations that break
  // lease_duration > renew_deadline > 1.2 * retry_period > 0 (client-go's rule).
  static Result<std::unique_ptr<LeaderElector>> Create(Client& client, LeaderElectionConfig config);
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Tries to acquire every retry_period until it does or `stop` is requested; then calls
  // on_started_leading and renews every retry_period until `stop` (then releases the Lease if
  // release_on_stop) or until leadership is lost; then calls on_stopped_leading and returns.
  // Call it once; a process that lost leadership should exit (or build a new elector).
  void Run(std::stop_token stop);

  // One attempt to acquire or renew the Lease; true if this candidate holds it afterwards.
  // Thread-safe; Run calls it.
  bool TryAcquireOrRenew();

  // Gives the Lease up if this candidate holds it: holderIdentity "" and leaseDurationSeconds
  // 1, so that another candidate takes it at its next attempt. Thread-safe. Run does it on stop
  // when release_on_stop; call it yourself only when not using Run.
  Status Release();

  // True while Run leads: from just before on_started_leading until just before
  // on_stopped_leading.
  bool IsLeader() const { return leading_.load(); }

  // The holder last seen in the Lease ("" if none or not read yet).
  std::string ObservedLeader() const;

  const LeaderElectionConfig& config() const { return config_; }

 private:
  LeaderElector(Client& client, LeaderElectionConfig config);

  // Needs op_mu_.
  bool TryAcquireOrRenewLocked();
  void Observe(const nlohmann::json& lease, Clock::TimePoint now);
  void ReportError(const Error& error);
  std::string Now() const;

  Client& client_;
  const LeaderElectionConfig config_;
  Clock& clock_;
  std::atomic<bool> leading_{false};

  mutable std::mutex op_mu_;       // one Lease read/write sequence at a time
  nlohmann::json observed_lease_;  // the last Lease read or written (for its resourceVersion)
  LeaseRecord observed_record_;
  nlohmann::json observed_spec_;    // compared to notice any change of the record
  Clock::TimePoint observed_time_;  // when observed_spec_ last changed, on clock_
  std::string new_leader_;          // a holder change to announce once op_mu_ is released
};

}  // namespace csp::kube
