#include "csp/manager/resources.h"

#include <array>

#include "csp/names/names.h"

namespace csp::manager {
namespace {

WorkloadResource Watched(const names::Resource& r) {
  return {.kind = r.kind, .api_group = r.group, .ref = kube::ToResourceRef(r)};
}

// names::kWorkloads but PodTemplate: a PodTemplate runs no pod, so the operator does not watch
// it (cspctl scans it in manifests).
const std::array<WorkloadResource, 8> kWorkloads = {
    Watched(names::kPods),        Watched(names::kDeployments),
    Watched(names::kReplicaSets), Watched(names::kStatefulSets),
    Watched(names::kDaemonSets),  Watched(names::kJobs),
    Watched(names::kCronJobs),    Watched(names::kReplicationControllers),
};

}  // namespace

const kube::ResourceRef kPolicies = kube::ToResourceRef(names::kPolicies);
const kube::ResourceRef kNamespaces{"", "v1", "namespaces", false};
const kube::ResourceRef kPolicyReports = kube::ToResourceRef(names::kPolicyReports);
const kube::ResourceRef kNodes{"", "v1", "nodes", false};
const kube::ResourceRef kSecurityProfiles = kube::ToResourceRef(names::kSecurityProfiles);
const kube::ResourceRef kWorkloadKinds = kube::ToResourceRef(names::kWorkloadKindsResource);
const kube::ResourceRef kClusterPolicyReports = kube::ToResourceRef(names::kClusterPolicyReports);
const kube::ResourceRef kEvents{"", "v1", "events", true};
const kube::ResourceRef kNetworkPolicies{"networking.k8s.io", "v1", "networkpolicies", true};
const kube::ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", true};
const kube::ResourceRef kSecrets{"", "v1", "secrets", true};
const kube::ResourceRef kServiceAccounts{"", "v1", "serviceaccounts", true};
const kube::ResourceRef kValidatingWebhookConfigurations{"admissionregistration.k8s.io", "v1",
                                                         "validatingwebhookconfigurations", false};
const kube::ResourceRef kValidatingAdmissionPolicies{"admissionregistration.k8s.io", "v1",
                                                     "validatingadmissionpolicies", false};
const kube::ResourceRef kValidatingAdmissionPolicyBindings{
    "admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", false};

std::span<const WorkloadResource> WorkloadResources() { return kWorkloads; }

const WorkloadResource* FindWorkloadResource(std::string_view group, std::string_view kind) {
  for (const WorkloadResource& w : kWorkloads) {
    if (w.kind == kind && w.api_group == group) return &w;
  }
  return nullptr;
}

}  // namespace csp::manager
