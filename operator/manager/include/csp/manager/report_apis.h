// The report APIs of --report-api when the operator starts: the CRDs of those it writes must be
// installed, and our reports in the others are deleted, so that switching the setting leaves
// one set of reports (both sets with `both`).
#pragma once

#include <span>
#include <string>

#include "csp/common/result.h"
#include "csp/kube/client.h"
#include "csp/names/names.h"

namespace csp::manager {

// "<plural>.<group>": the CRD that defines `resource`.
std::string CrdName(const names::Resource& resource);

// kFailedPrecondition, naming the CRD and its file in crds/, when a kind of a `written` API
// (its namespaced reports, or the cluster-scoped kind the agents' node report is read from) is
// not served: the informers would otherwise retry for ever. Other errors (the API server not
// reachable yet) are left to the informers' retries: ok.
Status RequireReportCrds(kube::Client& client, std::span<const names::ReportApi> written);

// Deletes every namespaced report labeled managed-by csp-operator in each API not `written`.
// An API whose CRD is not installed holds none; one the operator may not list (RBAC for the
// chosen API only) is skipped with a warning. Returns how many were deleted.
Result<int> DeleteStaleReports(kube::Client& client, std::span<const names::ReportApi> written);

}  // namespace csp::manager
