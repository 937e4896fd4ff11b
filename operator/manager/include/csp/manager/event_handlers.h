// The informers' event handlers: each change becomes a key of the work queue (queue_keys.h),
// never work of its own. They filter noise: an update that leaves a cached value equal, or
// objects owned by a workload whose ownership did not change, queue nothing.
//
//   a workload (not owned), a Namespace's labels, a report of ours   -> "ns/<namespace>"
//   a policy                                                          -> "policy/<name>", and on
//       add, delete or a spec change (generation) `policies_changed`
//   a Node, SecurityProfile or the agents' node report                -> "nodes"
//   a WorkloadKind added, deleted or its spec changed                  -> "workload-kinds"
#pragma once

#include <functional>

#include "csp/kube/work_queue.h"
#include "csp/manager/caches.h"
#include "csp/manager/write_overlay.h"

namespace csp::manager {

struct EventTargets {
  kube::WorkQueue& queue;
  // Rebuilds the policy set and queues every namespace.
  std::function<void()> policies_changed;
  // Told when a node-aware input changed (besides the "nodes" key); may be null.
  std::function<void()> nodes_changed = nullptr;
  // Entries of deleted objects are forgotten.
  WriteOverlay<CachedWorkload>& written_workloads;
  WriteOverlay<CachedReport>& written_reports;
};

// Registers the handlers on every informer of `caches`; call before the caches start. The queue
// and the overlays must outlive the caches.
void RegisterEventHandlers(Caches& caches, const EventTargets& targets);

}  // namespace csp::manager
