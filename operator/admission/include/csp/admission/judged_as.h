// Who a workload is matched and exempted as at admission: its top-level owner, as in the
// reports (controllers::ResolveOwner), so that a policy, an exemption or a workloadSelector
// written for Deployment "web" applies to web's ReplicaSets and Pods when they are created.
#pragma once

#include "csp/controllers/owner_resolution.h"
#include "csp/policy/workload.h"

namespace csp::admission {

// `workload` with its identity (ref) and labels replaced by its top-level owner's when it has a
// controller owner of a workload kind: the owner's cached metadata.labels when `owners` finds
// the owner, the workload's own labels when it does not (not cached yet, or gone). The pod spec
// and annotations stay the workload's: they are what is being created. The owner's labels are
// borrowed from the cache, which must hold them while the result is used. Namespaces come from
// the workload (an object without metadata.namespace: workload.ref.ns). A null `owners` finds
// no owner.
policy::Workload JudgedAs(const policy::Workload& workload, const controllers::OwnerLookup& owners);

}  // namespace csp::admission
