// The API resources csp-operator reads and writes.
#pragma once

#include <span>
#include <string_view>

#include "csp/kube/resource_ref.h"

namespace csp::manager {

// A workload kind the operator watches, evaluates and may patch.
struct WorkloadResource {
  std::string_view kind;       // "Deployment"
  std::string_view api_group;  // "apps"
  kube::ResourceRef ref;
};

// Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController.
std::span<const WorkloadResource> WorkloadResources();
// The entry for (group, kind), or null when it is not a workload kind.
const WorkloadResource* FindWorkloadResource(std::string_view group, std::string_view kind);

extern const kube::ResourceRef kPolicies;              // containersecuritypolicies (cluster)
extern const kube::ResourceRef kNamespaces;            // namespaces (cluster)
extern const kube::ResourceRef kPolicyReports;         // wgpolicyk8s.io policyreports
extern const kube::ResourceRef kNodes;                 // core/v1 nodes (cluster)
extern const kube::ResourceRef kSecurityProfiles;      // containersecurity.dev (cluster)
extern const kube::ResourceRef kWorkloadKinds;         // containersecurity.dev (cluster)
extern const kube::ResourceRef kClusterPolicyReports;  // wgpolicyk8s.io (cluster)
extern const kube::ResourceRef kEvents;                // core/v1 events
extern const kube::ResourceRef kNetworkPolicies;       // networking.k8s.io (action Isolate)
extern const kube::ResourceRef kLeases;                // coordination.k8s.io leases
extern const kube::ResourceRef kSecrets;               // core/v1 secrets
extern const kube::ResourceRef kServiceAccounts;       // core/v1 serviceaccounts
extern const kube::ResourceRef kValidatingWebhookConfigurations;  // admissionregistration (cluster)
extern const kube::ResourceRef kValidatingAdmissionPolicies;      // admissionregistration (cluster)
extern const kube::ResourceRef kValidatingAdmissionPolicyBindings;  // admissionregistration

}  // namespace csp::manager
