// Node facts for the node-aware part of rules 2 and 3 (docs/design.md "Node-aware rules"):
// which csp-agent profiles each node holds, read from the reports the agents write. Pure: the
// operator passes its cached Nodes, the reports and the SecurityProfiles.
//
// The node reports (written by csp-agent, one per node, read here; this comment is the
// contract, and its names are csp::names'):
//
//   apiVersion: wgpolicyk8s.io/v1alpha2  # or openreports.io/v1alpha1 ClusterReport: the same
//   kind: ClusterPolicyReport
//   metadata:
//     name: csp-node-profiles-kwok-node-1  # csp::agent::NodeReportName; not read
//     labels: {app.kubernetes.io/managed-by: csp-agent}   # how the operator finds them
//   summary: {pass: 2, fail: 0, warn: 1, error: 0, skip: 0}
//   results:
//     - policy: csp-node-profiles        # the CRD's one required field; not read
//       source: containersecurity        # not read
//       rule: seccomp-profile            # or apparmor-profile
//       result: pass                     # pass exactly when state is Installed (see below)
//       message: "..."                   # why, for Failed and Unsupported; not read
//       timestamp: {seconds: 1767225600, nanos: 0}
//       resources: [{apiVersion: v1, kind: Node, name: kwok-node-1}]   # for kubectl; not read
//       properties:                      # string-valued, per the CRD
//         node: kwok-node-1              # the Node's metadata.name
//         profile: containersecurity/csp-default.json   # as pods reference it (below)
//         type: Seccomp                  # Seccomp with rule seccomp-profile,
//                                        # AppArmor with rule apparmor-profile
//         state: Installed               # Installed | Pending | Failed | Unsupported
//
// - One result per (node, profile) the node's agent is responsible for: csp-default of both
//   types, and every SecurityProfile whose nodeSelector selects the node.
// - `profile` is the name pods use: seccomp `containersecurity/<name>.json` (the
//   localhostProfile, relative to kubelet's seccomp root), AppArmor `<name>` (the loaded
//   profile name). `<name>` is `csp-default` or the SecurityProfile's metadata.name.
// - `state` and `result`: Installed -> pass (file written and, for AppArmor, loaded in the
//   kernel); Pending -> warn (not done yet for the current generation); Failed -> fail;
//   Unsupported -> skip (e.g. no AppArmor on the node).
// - A profile counts as installed on a node only when some result for (node, profile) has
//   `result: pass` AND `state: Installed`; anything else (another state, a missing result, a
//   node with no results at all) means not installed, so a gap is never hidden.
// - The results of all reports are merged; a report's name does not tie it to a node, its
//   results' properties.node does. One exception, for the upgrade from agents that all wrote
//   one shared report named csp-node-profiles (the legacy report, same shape): its results
//   count for a node only while no other report has a result for that node (an upgraded agent
//   writes its own report, then removes its results from the legacy one).
// - A malformed result (not an object; rule, or properties node/profile/type/state, missing
//   or not strings; rule and type disagreeing; an unknown rule, type or state) is skipped.
#pragma once

#include <nlohmann/json.hpp>
#include <span>

#include "csp/policy/node_facts.h"

namespace csp::controllers {

// `nodes`: core/v1 Node objects (metadata.name, metadata.labels; one without a name is
// skipped). `node_reports`: the reports above, of either API, in any order (none: no node has
// any profile; null and non-objects are skipped). `security_profiles`: containersecurity.dev
// SecurityProfile objects; managed_apparmor is "csp-default" plus the metadata.name of each whose
// spec.type is AppArmor. Never throws; malformed entries are skipped.
policy::NodeFacts NodeFactsFrom(std::span<const nlohmann::json> nodes,
                                std::span<const nlohmann::json* const> node_reports,
                                std::span<const nlohmann::json> security_profiles);

}  // namespace csp::controllers
