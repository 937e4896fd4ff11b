#include "csp/manager/resources.h"

#include <array>

namespace csp::manager {
namespace {

const std::array<WorkloadResource, 8> kWorkloads = {{
    {"Pod", "", {"", "v1", "pods", true}},
    {"Deployment", "apps", {"apps", "v1", "deployments", true}},
    {"ReplicaSet", "apps", {"apps", "v1", "replicasets", true}},
    {"StatefulSet", "apps", {"apps", "v1", "statefulsets", true}},
    {"DaemonSet", "apps", {"apps", "v1", "daemonsets", true}},
    {"Job", "batch", {"batch", "v1", "jobs", true}},
    {"CronJob", "batch", {"batch", "v1", "cronjobs", true}},
    {"ReplicationController", "", {"", "v1", "replicationcontrollers", true}},
}};

}  // namespace

const kube::ResourceRef kPolicies{"containersecurity.dev", "v1alpha1", "containersecuritypolicies",
                                  false};
const kube::ResourceRef kNamespaces{"", "v1", "namespaces", false};
const kube::ResourceRef kPolicyReports{"wgpolicyk8s.io", "v1alpha2", "policyreports", true};
const kube::ResourceRef kNodes{"", "v1", "nodes", false};
const kube::ResourceRef kSecurityProfiles{"containersecurity.dev", "v1alpha1", "securityprofiles",
                                          false};
const kube::ResourceRef kClusterPolicyReports{"wgpolicyk8s.io", "v1alpha2", "clusterpolicyreports",
                                              false};
const kube::ResourceRef kEvents{"", "v1", "events", true};
const kube::ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", true};

std::span<const WorkloadResource> WorkloadResources() { return kWorkloads; }

const WorkloadResource* FindWorkloadResource(std::string_view group, std::string_view kind) {
  for (const WorkloadResource& w : kWorkloads) {
    if (w.kind == kind && w.api_group == group) return &w;
  }
  return nullptr;
}

}  // namespace csp::manager
