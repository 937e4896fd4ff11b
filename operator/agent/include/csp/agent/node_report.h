// A node's report: a ClusterPolicyReport (wgpolicyk8s.io/v1alpha2) or a ClusterReport
// (openreports.io/v1alpha1, with the top-level `source: containersecurity`), as --report-api
// says, with the same results: one per (node, profile). Each agent writes its own node's
// report, named NodeReportName(node), and no other: no two agents write one object. The
// operator's node-aware rules read them all, by label (controllers/node_profiles.h), so their
// shape is a contract, and their names are csp::names':
//
//   metadata: {name: csp-node-profiles-<node>, labels: {app.kubernetes.io/managed-by: csp-agent}}
//   summary: {pass, fail, warn, error, skip}
//   results:  sorted by (properties.node, rule, properties.profile)
//   - source: containersecurity
//     policy: csp-node-profiles
//     rule: seccomp-profile | apparmor-profile
//     result: pass (Installed) | fail (Failed) | skip (Unsupported) | warn (Pending)
//     message: ...
//     timestamp: {seconds, nanos}: when this result last changed
//     resources: [{apiVersion: v1, kind: Node, name: <node>}]
//     properties: {node: <node>, profile: <name as pods reference it>,
//                  type: Seccomp | AppArmor, state: Installed | Pending | Failed | Unsupported}
//
// A result keeps its timestamp while it stays the same, so that an agent that finds nothing
// changed writes nothing.
//
// Agents before one report per node all wrote the one report csp-node-profiles (the legacy
// report, same shape, every node's results); an agent removes its node's results from it
// (StatusWriter), and the operator still reads it for nodes without a report of their own.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "csp/agent/node_profile_state.h"
#include "csp/names/names.h"
#include "csp/profiles/profile_kind.h"

namespace csp::agent {

struct NodeProfileResult {
  profiles::ProfileKind kind = profiles::ProfileKind::kSeccomp;
  std::string name = {};  // the profile's (object's) name, e.g. "csp-default"
  NodeProfileState state = NodeProfileState::kPending;
  std::string message = {};

  friend bool operator==(const NodeProfileResult&, const NodeProfileResult&) = default;
};

// How pods reference profile `name`: "containersecurity/<name>.json" (seccomp
// localhostProfile, relative to kubelet's seccomp root) or "<name>" (the AppArmor profile name).
std::string PodProfileReference(profiles::ProfileKind kind, std::string_view name);

// "seccomp-profile" or "apparmor-profile".
std::string_view NodeReportRule(profiles::ProfileKind kind);

// The name of `node`'s report: "csp-node-profiles-<node>". Node names are DNS subdomains of up
// to 253 characters, as are report names; when the name would be longer than 253, it is
// "csp-node-profiles-<node cut>-<hash>": <hash> is 8 hex digits (the high 32 bits of the
// FNV-1a 64-bit hash of the whole node name), <node cut> the node name's first 226 characters
// less any trailing '.' or '-' (a DNS label must end in a letter or digit). Two nodes share a
// name only if both are that long, agree on those 226 characters and collide on the hash;
// even then the merge keeps each node's results apart (MergeNodeReport).
std::string NodeReportName(std::string_view node);

// One result of `node`, stamped `now_seconds` (Unix time).
nlohmann::json NodeReportResult(std::string_view node, const NodeProfileResult& result,
                                std::int64_t now_seconds);

// `existing` (the report as read, or null when there is none) with every result of `node`
// replaced by `results`, the other nodes' results kept, all sorted, the summary recounted and
// the managed-by label set. metadata.name is `existing`'s, or NodeReportName(node) when it has
// none. A result equal to the one it replaces keeps that one's timestamp;
// a changed or new one gets `now_seconds`. Other metadata (resourceVersion included) is kept,
// so the result can be PUT as is. Deterministic: a caller writes only when it differs from
// `existing`.
// apiVersion and kind are `api`'s.
nlohmann::json MergeNodeReport(const nlohmann::json& existing, std::string_view node,
                               const std::vector<NodeProfileResult>& results,
                               std::int64_t now_seconds,
                               names::ReportApi api = names::ReportApi::kWgPolicyK8s);

}  // namespace csp::agent
