// The keys of the manager's work queue and the delays that coalesce them. What each key does is
// key_dispatch.h's; who queues it, event_handlers.h's.
//
//   "ns/<namespace>"  ReconcileNamespace: its reports, then (queued again) its remediation;
//   "policy/<name>"   ReconcilePolicy;
//   "expiry"          the next exemption expiry: every namespace and policy again;
//   "nodes"           the node facts rebuilt and, if they changed, every namespace again;
//   "webhook"         the admission webhook's certificate Secret and configuration;
//   "stale-reports"   once a term, with a report API not written (--report-api): our reports
//                     in it deleted (report_apis.h);
//   "signatures"      with a policy verifying image signatures: every namespace again (the
//                     periodic re-verification), then the next run queued;
//   "workload-kinds"  the custom kinds the WorkloadKinds declare: discovered, watched, their
//                     status written (custom_kinds.h), then the next run queued.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace csp::manager {

inline constexpr std::string_view kNamespacePrefix = "ns/";
inline constexpr std::string_view kPolicyPrefix = "policy/";
inline constexpr std::string_view kExpiryKey = "expiry";
inline constexpr std::string_view kNodesKey = "nodes";
inline constexpr std::string_view kWebhookKey = "webhook";
inline constexpr std::string_view kSignaturesKey = "signatures";
inline constexpr std::string_view kStaleReportsKey = "stale-reports";
inline constexpr std::string_view kWorkloadKindsKey = "workload-kinds";
// A declared kind whose CRD is missing (or not readable) is looked for again this often.
inline constexpr std::chrono::seconds kWorkloadKindsPeriod{30};

// Node changes come in bursts (agents report node after node): one rebuild per burst.
inline constexpr std::chrono::milliseconds kNodesDelay{200};
// Tally changes from many namespaces are coalesced into one status write per policy.
inline constexpr std::chrono::milliseconds kPolicyDelay{300};
// Policy changes come in bursts too (kubectl apply -f dir/): one webhook configuration write.
inline constexpr std::chrono::milliseconds kWebhookDelay{200};

inline std::string NamespaceKey(std::string_view ns) {
  return std::string(kNamespacePrefix).append(ns);
}
inline std::string PolicyKey(std::string_view name) {
  return std::string(kPolicyPrefix).append(name);
}

}  // namespace csp::manager
