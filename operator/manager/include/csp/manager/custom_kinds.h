// The custom workload kinds that WorkloadKinds declare (api.md "WorkloadKind"), watched at run
// time: for each declaration, API discovery finds the resource serving the kind (and whether
// it serves /scale), an informer of its own lists and watches it, and the WorkloadKind's
// status says where it stands. A kind whose CRD is missing is a status, checked again at the
// next Sync, never an error loop.
//
// Sync runs on a worker (the "workload-kinds" key, queue_keys.h); the reconcilers read
// Current(), an immutable snapshot, from any worker.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "csp/controllers/workload_kind_status.h"
#include "csp/kube/client.h"
#include "csp/kube/informer.h"
#include "csp/manager/caches.h"
#include "csp/policy/workload_kind.h"

namespace csp::manager {

// A declared kind that is served and watched.
struct CustomKind {
  policy::WorkloadKind declaration = {};
  kube::ResourceRef ref = {};
  bool scale = false;  // ScaleSubresource declared and "<resource>/scale" served
  std::shared_ptr<const kube::Informer<CachedWorkload>> informer = nullptr;
  // The WriteOverlay key of one of its objects: "<Kind>.<group>/<ns>/<name>".
  std::string OverlayKey(std::string_view ns, std::string_view name) const;
};

struct CustomKindSet {
  std::vector<CustomKind> kinds = {};
  // Every valid declaration, served or not: an object controlled by one of them is reported on
  // it, never on its own (a Rollout's ReplicaSets).
  std::vector<policy::WorkloadKind> declarations = {};
};

// A custom kind's cached value: the object without status, managedFields and kubectl's
// last-applied copy (the pod templates may be anywhere), typed with `api_version` and `kind`
// when a LIST item lacks them.
CachedWorkload CacheCustomWorkload(const nlohmann::json& object, std::string_view api_version,
                                   std::string_view kind);

class CustomKinds {
 public:
  struct Callbacks {  // each may be null
    // An object of a watched kind was added, changed or deleted in namespace `ns`.
    std::function<void(const std::string& ns)> changed = nullptr;
    // The declarations changed (paths, a kind added or gone): every namespace may judge
    // differently, built-in objects controlled by a declared kind included.
    std::function<void()> declarations_changed = nullptr;
    // Its WriteOverlay entry (CustomKind::OverlayKey) is stale: the object is gone.
    std::function<void(const std::string& overlay_key)> forget = nullptr;
    // A list or watch failed (the informer retries).
    std::function<void(std::string_view resource, const Error& error)> on_error = nullptr;
  };
  // `streaming_list`: the informers list as --list-mode=watch asks (kube::InformerOptions).
  CustomKinds(kube::Client& client, Callbacks callbacks, bool streaming_list = false);
  ~CustomKinds();  // stops and joins every informer
  CustomKinds(const CustomKinds&) = delete;
  CustomKinds& operator=(const CustomKinds&) = delete;

  // Brings the watched kinds in line with `workload_kinds` (the WorkloadKind objects, whole):
  // starts informers for new kinds, stops those no longer declared or served, calls
  // declarations_changed when they differ from the last Sync's, and writes each WorkloadKind's
  // status where it changed.
  // Returns the first status write that failed (the rest still happen).
  Status Sync(const std::vector<std::shared_ptr<const nlohmann::json>>& workload_kinds,
              std::chrono::sys_seconds now, std::stop_token stop);

  // Waits up to `timeout` for the first list of every watched kind (a Forbidden one never
  // comes: the wait is bounded).
  void WaitForSync(std::stop_token stop, std::chrono::milliseconds timeout) const;

  std::shared_ptr<const CustomKindSet> Current() const;

  // Stops and joins every informer (the destructor does too). Sync must not run any more.
  void Stop();

 private:
  struct Running;  // an informer and its thread
  std::shared_ptr<Running> Watch(const kube::ResourceRef& ref, const policy::WorkloadKind& kind,
                                 std::stop_token stop);
  // Discovery, then the kind's state; starts its informer when served.
  controllers::KindStatusInput Place(const policy::WorkloadKind& kind, CustomKindSet& next,
                                     std::map<std::string, std::shared_ptr<Running>>& keep,
                                     std::stop_token stop);

  kube::Client& client_;
  const Callbacks callbacks_;
  const bool streaming_list_;
  mutable std::mutex mu_;
  std::shared_ptr<const CustomKindSet> current_ = std::make_shared<CustomKindSet>();
  std::map<std::string, std::shared_ptr<Running>> running_;  // by ResourceRef::Name(); Sync only
};

}  // namespace csp::manager
