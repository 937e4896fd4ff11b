// The names csp-operator and csp-agent share with each other and with the cluster: API
// resources, workload kinds, the node report with its rules, results and states, the profile
// folder, and the label and annotation keys. Each is stated here once; both sides read it from
// here, and tests hold the CRDs to it. Constants only: the pure policy engine includes it too.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

namespace csp::names {

// An API resource: what a REST path and a manifest's apiVersion and kind are made of.
struct Resource {
  std::string_view group = {};    // "" for the core group
  std::string_view version = {};  // "v1"
  std::string_view plural = {};   // "deployments"
  std::string_view kind = {};     // "Deployment"
  bool namespaced = true;
};

// --- containersecurity.dev ----------------------------------------------------------------------

inline constexpr std::string_view kGroup = "containersecurity.dev";
inline constexpr std::string_view kApiVersion = "containersecurity.dev/v1alpha1";
inline constexpr Resource kPolicies = {kGroup, "v1alpha1", "containersecuritypolicies",
                                       "ContainerSecurityPolicy", false};
inline constexpr Resource kSecurityProfiles = {kGroup, "v1alpha1", "securityprofiles",
                                               "SecurityProfile", false};
inline constexpr Resource kWorkloadKindsResource = {kGroup, "v1alpha1", "workloadkinds",
                                                    "WorkloadKind", false};

// --- wgpolicyk8s.io reports ---------------------------------------------------------------------

inline constexpr Resource kPolicyReports = {"wgpolicyk8s.io", "v1alpha2", "policyreports",
                                            "PolicyReport", true};
inline constexpr Resource kClusterPolicyReports = {
    "wgpolicyk8s.io", "v1alpha2", "clusterpolicyreports", "ClusterPolicyReport", false};
// --- openreports.io reports: the same results under another group (docs/api.md "Reports") --

inline constexpr Resource kOpenReports = {"openreports.io", "v1alpha1", "reports", "Report", true};
inline constexpr Resource kClusterOpenReports = {"openreports.io", "v1alpha1", "clusterreports",
                                                 "ClusterReport", false};

// results[].source of every report the operator and the agent write (and the top-level source
// of their OpenReports).
inline constexpr std::string_view kReportSource = "containersecurity";
// results[].result, and the keys of summary that count them.
inline constexpr std::string_view kResultPass = "pass";
inline constexpr std::string_view kResultFail = "fail";
inline constexpr std::string_view kResultWarn = "warn";
inline constexpr std::string_view kResultError = "error";
inline constexpr std::string_view kResultSkip = "skip";
// metadata.labels[kManagedByLabel] of each report: who writes it.
inline constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByOperator = "csp-operator";
inline constexpr std::string_view kManagedByAgent = "csp-agent";

// --- Which report API: --report-api of csp-operator, csp-agent and cspctl ----------------------

// Both carry the same results (result keys identical); they differ in group, version, kinds and
// OpenReports' top-level `source`.
enum class ReportApi { kWgPolicyK8s, kOpenReports };

struct ReportApiNames {
  ReportApi api = ReportApi::kWgPolicyK8s;
  std::string_view name = {};         // the flag's value: "wgpolicyk8s", "openreports"
  std::string_view api_version = {};  // "<group>/<version>" of both kinds
  Resource reports = {};              // namespaced: PolicyReport, Report
  Resource cluster_reports = {};      // ClusterPolicyReport, ClusterReport
  bool report_source = false;         // a top-level `source` (OpenReports only)
};

// Indexed by ReportApi.
inline constexpr std::array<ReportApiNames, 2> kReportApis = {{
    {ReportApi::kWgPolicyK8s, "wgpolicyk8s", "wgpolicyk8s.io/v1alpha2", kPolicyReports,
     kClusterPolicyReports, false},
    {ReportApi::kOpenReports, "openreports", "openreports.io/v1alpha1", kOpenReports,
     kClusterOpenReports, true},
}};
static_assert(kReportApis[0].api == ReportApi::kWgPolicyK8s &&
              kReportApis[1].api == ReportApi::kOpenReports);

constexpr const ReportApiNames& NamesOf(ReportApi api) {
  return kReportApis[static_cast<std::size_t>(api)];
}

// The --report-api value that writes every API, and the default. wgpolicyk8s stays the default
// while the ecosystem's does (Kyverno writes it unless told otherwise; docs/api.md "Reports").
inline constexpr std::string_view kReportApiBoth = "both";
inline constexpr std::string_view kDefaultReportApi = "wgpolicyk8s";
inline constexpr std::string_view kReportApiChoices = "wgpolicyk8s, openreports or both";

// The APIs a --report-api value writes, in kReportApis order; empty for an unknown value.
inline std::vector<ReportApi> ReportApisOf(std::string_view value) {
  std::vector<ReportApi> out;
  for (const ReportApiNames& a : kReportApis) {
    if (value == a.name || value == kReportApiBoth) out.push_back(a.api);
  }
  return out;
}

// --- Workload kinds (docs/controls.md "Inputs") -------------------------------------------------

inline constexpr Resource kPods = {"", "v1", "pods", "Pod"};
inline constexpr Resource kReplicationControllers = {"", "v1", "replicationcontrollers",
                                                     "ReplicationController"};
inline constexpr Resource kPodTemplates = {"", "v1", "podtemplates", "PodTemplate"};
inline constexpr Resource kDeployments = {"apps", "v1", "deployments", "Deployment"};
inline constexpr Resource kReplicaSets = {"apps", "v1", "replicasets", "ReplicaSet"};
inline constexpr Resource kStatefulSets = {"apps", "v1", "statefulsets", "StatefulSet"};
inline constexpr Resource kDaemonSets = {"apps", "v1", "daemonsets", "DaemonSet"};
inline constexpr Resource kJobs = {"batch", "v1", "jobs", "Job"};
inline constexpr Resource kCronJobs = {"batch", "v1", "cronjobs", "CronJob"};

// Every workload kind, in the order of the CRD's spec.match.kinds enum.
inline constexpr std::array<Resource, 9> kWorkloads = {
    kPods,        kReplicationControllers, kPodTemplates, kDeployments,
    kReplicaSets, kStatefulSets,           kDaemonSets,   kJobs,
    kCronJobs};

// The kinds a policy's match.kinds may name: those of kWorkloads, in its order.
inline constexpr std::array<std::string_view, kWorkloads.size()> kWorkloadKinds = [] {
  std::array<std::string_view, kWorkloads.size()> kinds = {};
  for (std::size_t i = 0; i < kWorkloads.size(); ++i) kinds[i] = kWorkloads[i].kind;
  return kinds;
}();

// --- Profiles and the node report: csp-agent writes, the operator's node-aware rules read ------

// The folder csp-agent keeps its profiles in, under kubelet's seccomp root and /etc/apparmor.d.
inline constexpr std::string_view kProfileFolder = "containersecurity";
// How pods name a seccomp profile of that folder: "containersecurity/<name>.json", relative to
// kubelet's seccomp root.
inline constexpr std::string_view kSeccompReferencePrefix = "containersecurity/";
static_assert(kSeccompReferencePrefix.size() == kProfileFolder.size() + 1 &&
              kSeccompReferencePrefix.starts_with(kProfileFolder));
// The built-in profile every agent installs; no SecurityProfile may take its name.
inline constexpr std::string_view kDefaultProfileName = "csp-default";
// spec.type of a SecurityProfile, and properties.type of a node report result.
inline constexpr std::string_view kSeccompType = "Seccomp";
inline constexpr std::string_view kAppArmorType = "AppArmor";

// The one ClusterPolicyReport every agent writes its node's results into.
inline constexpr std::string_view kNodeReportName = "csp-node-profiles";
inline constexpr std::string_view kSeccompProfileRule = "seccomp-profile";
inline constexpr std::string_view kAppArmorProfileRule = "apparmor-profile";
// A profile's state on a node: properties.state of a node report result, and the state of a
// SecurityProfile's status.nodeStatus entry. A profile counts as installed only when Installed.
inline constexpr std::string_view kStateInstalled = "Installed";
inline constexpr std::string_view kStatePending = "Pending";
inline constexpr std::string_view kStateFailed = "Failed";
inline constexpr std::string_view kStateUnsupported = "Unsupported";
// In the order of the CRD's enum (and of csp::agent::NodeProfileState).
inline constexpr std::array<std::string_view, 4> kProfileStates = {kStateInstalled, kStatePending,
                                                                   kStateFailed, kStateUnsupported};

// --- Labels and annotations on workloads and reports --------------------------------------------

// On PolicyReports: the policy they belong to.
inline constexpr std::string_view kPolicyLabel = "containersecurity.dev/policy";
// On workloads (actions Label and ScaleDown): "true" or "false".
inline constexpr std::string_view kCompliantLabel = "containersecurity.dev/compliant";
// On workloads: the failing rule ids, comma-separated.
inline constexpr std::string_view kViolationsAnnotation = "containersecurity.dev/violations";
// On scaled-down workloads: what to restore.
inline constexpr std::string_view kScaledDownFromAnnotation =
    "containersecurity.dev/scaled-down-from";
// On workloads whose remediation another field manager put back too often (docs/remediation.md
// "Revert detection"): "<pod template hash> <field manager>"; not re-applied while it holds.
inline constexpr std::string_view kRemediationRevertedAnnotation =
    "containersecurity.dev/remediation-reverted";
// On isolated workloads (action Isolate): the name of the NetworkPolicy that cuts them off.
inline constexpr std::string_view kIsolatedAnnotation = "containersecurity.dev/isolated";
// Flux's per-object switch (spec.remediation.suspendFlux), and ours saying that we set it.
inline constexpr std::string_view kFluxReconcileAnnotation =
    "kustomize.toolkit.fluxcd.io/reconcile";
inline constexpr std::string_view kFluxReconcileDisabledAnnotation =
    "containersecurity.dev/flux-reconcile-disabled";
// The nodeSelector key, carried by no node, that takes a quarantined DaemonSet's pods off every
// node. The node-aware rules ignore it when they list the nodes a pod may run on.
inline constexpr std::string_view kQuarantineKey = "containersecurity.dev/quarantined";
// On pod templates and bare Pods (Kubernetes' own): the beta AppArmor annotation of one
// container, `<prefix><container name>`. Rule 3 reads it; admission compares it on UPDATE.
inline constexpr std::string_view kAppArmorAnnotationPrefix =
    "container.apparmor.security.beta.kubernetes.io/";

}  // namespace csp::names
