// What the node agents (csp-agent) reported about the profiles they manage, and the node-aware
// part of rules 2 and 3: a Localhost profile managed by csp-agent must be installed on every
// node the workload may run on (docs/design.md "Node-aware rules"). Pure, like the engine: the
// operator builds NodeFacts from its caches (csp::controllers::NodeFactsFrom) and passes them in
// EvalContext::node_facts; offline scans pass none and judge the spec alone.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "csp/names/names.h"
#include "csp/policy/label_selector.h"
#include "csp/policy/pod_spec.h"

namespace csp::policy {

struct NodeInfo {
  std::string name = {};
  Labels labels = {};
};

// What csp-agent reported per node. Only profiles csp-agent manages are listed.
struct NodeFacts {
  std::vector<NodeInfo> nodes = {};  // every Node of the cluster
  // node name -> names of seccomp profiles installed there, as pods name them
  // ("containersecurity/csp-default.json", "containersecurity/<name>.json")
  std::map<std::string, std::set<std::string>, std::less<>> seccomp = {};
  // node name -> loaded AppArmor profile names ("csp-default", "<name>")
  std::map<std::string, std::set<std::string>, std::less<>> apparmor = {};
  // AppArmor profile names csp-agent manages (csp-default + every AppArmor SecurityProfile);
  // a Localhost AppArmor profile outside this set is not ours and is not checked against nodes.
  std::set<std::string, std::less<>> managed_apparmor = {};
};

// The seccomp profile as NodeFacts names it when `localhost_profile` lies under
// names::kSeccompReferencePrefix (csp-agent's folder of kubelet's seccomp root) after lexical
// normalization (as kubelet joins it to its seccomp root: "containersecurity/./x.json" is
// "containersecurity/x.json"); nullopt when it is not ours.
std::optional<std::string> ManagedSeccompProfile(std::string_view localhost_profile);

// The names of the nodes `pod` may run on, sorted and unique: the node named by spec.nodeName
// when set (none when no such node exists), else every node whose labels hold every
// spec.nodeSelector pair. names::kQuarantineKey is ignored: the workload is judged as its owner
// wrote it, or a quarantined DaemonSet would "may run nowhere", pass, get restored, fail again.
// Affinity, taints and cordoning are not considered: a narrower set could hide a node that
// lacks a profile.
std::vector<std::string_view> CandidateNodes(const NodeFacts& facts, const PodSpec& pod);

// Checks a pod's managed Localhost profiles against its candidate nodes, which are computed on
// the first profile that needs them. Borrows `facts` and `pod`.
class NodeProfileCheck {
 public:
  NodeProfileCheck(const NodeFacts& facts, const PodSpec& pod) : facts_(facts), pod_(pod) {}

  // "" when `localhost_profile` is not managed by csp-agent, when the pod may run on no node,
  // or when every candidate node has it; else the problem, e.g. `seccomp profile
  // containersecurity/x.json is not installed on 2 of 3 nodes it may run on: n1, n2`.
  std::string Seccomp(std::string_view localhost_profile);
  // The same for an AppArmor profile name (field localhostProfile or `localhost/<name>`);
  // only names in NodeFacts::managed_apparmor are checked.
  std::string AppArmor(std::string_view profile);

  // Every node found lacking a checked profile, sorted and unique.
  std::vector<std::string> MissingNodes() const;

 private:
  std::string Check(std::string_view what, std::string_view shown, const std::string& profile,
                    const std::map<std::string, std::set<std::string>, std::less<>>& installed);

  const NodeFacts& facts_;
  const PodSpec& pod_;
  std::optional<std::vector<std::string_view>> candidates_ = {};
  std::set<std::string_view> missing_ = {};
};

}  // namespace csp::policy
