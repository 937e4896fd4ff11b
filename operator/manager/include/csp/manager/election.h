// Leader election for the manager: a LeaderElector on a thread of its own, logging what
// happens to the Lease.
#pragma once

#include <functional>
#include <memory>
#include <stop_token>
#include <thread>

#include "csp/kube/client.h"
#include "csp/kube/leader_election.h"
#include "csp/manager/options.h"

namespace csp::manager {

class Election {
 public:
  // Starts campaigning for options.lease_namespace/lease_name as options.identity, on
  // `lease_client`. `started` and `stopped` run on the election's thread.
  Status Start(kube::Client& lease_client, const Options& options, std::function<void()> started,
               std::function<void()> stopped);
  // Stops campaigning, releases the Lease if held, and joins the thread. Idempotent.
  void Stop();

 private:
  std::unique_ptr<kube::LeaderElector> elector_;
  std::stop_source stop_;
  std::jthread thread_;
};

}  // namespace csp::manager
