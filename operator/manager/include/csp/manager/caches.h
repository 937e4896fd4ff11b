// The operator's informer caches: one per watched resource, each keeping a compact value
// (what evaluation, ownership, remediation and report diffing read), never whole objects
// except for policies, which are few and whose status the operator rewrites.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "csp/common/packed_json.h"
#include "csp/controllers/desired_reports.h"
#include "csp/kube/client.h"
#include "csp/kube/informer.h"
#include "csp/names/names.h"
#include "csp/policy/label_selector.h"

namespace csp::manager {

// A workload as cached: its CacheWorkload value and, aside, its resourceVersion (so that an
// update that changes nothing we read compares equal, and our own writes can be ordered
// against the cache: write_overlay.h).
//
// An object whose controller is a workload kind (a Deployment's ReplicaSets and their Pods, a
// CronJob's Jobs) is never evaluated: its top-level owner is, and the owner's own events bring
// its namespace back. So only that fact is kept (`owned`; `object` null for a Pod, only the
// metadata that owner resolution follows for a ReplicaSet or Job, for admission): 12,000 of the
// 14,000 objects of docs/benchmarks.md's cluster, ~2.3 KB each as JSON before.
struct CachedWorkload {
  PackedJson object = {};  // CBOR: a tenth of the tree's memory (packed_json.h)
  std::uint64_t resource_version = 0;
  bool owned = false;
  bool operator==(const CachedWorkload& other) const {
    return owned == other.owned && object == other.object;
  }
};

// A PolicyReport as cached: identity, ownership, digest, and the previous results (for their
// timestamps) when it is ours.
struct CachedReport {
  controllers::ExistingReport summary = {};
  std::string policy = {};  // the containersecurity.dev/policy label
  controllers::PreviousResults previous = {};
};

// The workload cache Transform: CompactWorkload without metadata.resourceVersion (the informer
// keeps it aside), so that an update that changes nothing we read compares equal.
nlohmann::json CacheWorkload(const nlohmann::json& object);

// metadata.resourceVersion as a number (ParseResourceVersion), 0 when absent.
std::uint64_t ObjectResourceVersion(const nlohmann::json& object);

// True when `object` has a controller reference to a workload kind.
bool IsOwnedByWorkload(const nlohmann::json& object);

// CacheWorkload of `object` with its resourceVersion, or only `owned` for an object owned by a
// workload; `api_version` and `kind` fill in what LIST items lack.
CachedWorkload CacheWorkloadValue(const nlohmann::json& object, std::string_view api_version,
                                  std::string_view kind);

CachedReport CacheReport(const nlohmann::json& object);

// The caches of one report API the operator writes (--report-api): its namespaced reports
// (ours, and any holding a name of ours) and the agents' cluster reports, one per node (whole;
// labeled managed-by csp-agent, as is the legacy shared csp-node-profiles), which the
// node-aware rules read.
struct ReportCaches {
  ReportCaches(kube::Client& client, names::ReportApi api, const kube::InformerOptions& reports,
               const kube::InformerOptions& node_reports);
  const names::ReportApi api;
  const kube::ResourceRef reports_ref;       // policyreports.wgpolicyk8s.io, reports.openreports.io
  const kube::ResourceRef node_reports_ref;  // their cluster-scoped kind
  kube::Informer<CachedReport> reports;
  kube::Informer<nlohmann::json> node_reports;
  // The WriteOverlay key of report `ns`/`name` of this API: "<api>:<ns>/<name>".
  std::string OverlayKey(std::string_view ns, std::string_view name) const;
};

class Caches {
 public:
  using OnError = std::function<void(std::string_view resource, const Error& error)>;
  // `report_apis`: the APIs written (names::ReportApisOf), each with its ReportCaches.
  // `streaming_list`: every informer lists by a streaming watch (kube::InformerOptions).
  Caches(kube::Client& client, OnError on_error,
         const std::vector<names::ReportApi>& report_apis = {names::ReportApi::kWgPolicyK8s},
         bool streaming_list = false);

  kube::Informer<nlohmann::json> policies;
  kube::Informer<policy::Labels> namespaces;
  // In the order of `report_apis`.
  std::vector<std::unique_ptr<ReportCaches>> reports;
  // For the node-aware rules: Nodes (name, labels), SecurityProfiles (name, type), and the node
  // reports of `reports`.
  kube::Informer<nlohmann::json> nodes;
  kube::Informer<nlohmann::json> security_profiles;
  // WorkloadKinds, whole (few, and their status is ours to write): custom_kinds.h.
  kube::Informer<nlohmann::json> workload_kinds;
  // In the order of WorkloadResources().
  std::vector<std::unique_ptr<kube::Informer<CachedWorkload>>> workloads;

  // The workload informer for (group, kind), or null.
  kube::Informer<CachedWorkload>* Workloads(std::string_view group, std::string_view kind);

  // Starts every informer on a thread of its own; they stop when `stop` is requested (the
  // threads are joined by the destructor).
  void Start(std::stop_token stop);
  // Joins the informer threads; call after `stop` was requested.
  void Join();
  bool Synced() const;
  bool WaitForSync(std::stop_token stop) const;

  // (resource name, informer stats, cached objects) for /metrics.
  struct ResourceStats {
    std::string resource;
    kube::InformerStats stats;
    std::size_t objects = 0;
  };
  std::vector<ResourceStats> Stats() const;

 private:
  std::vector<std::jthread> threads_;
};

}  // namespace csp::manager
