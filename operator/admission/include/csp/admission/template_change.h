// Whether an UPDATE changes what the engine judges of a workload: only such updates are judged
// at admission (docs/admission.md "What is judged"), so that scaling a violator, relabelling
// it, writing its status or the operator's own remediation patches always go through.
#pragma once

#include "csp/policy/workload.h"

namespace csp::admission {

// True when the pod spec (Workload::pod_spec) or the AppArmor annotations of the pod template
// (names::kAppArmorAnnotationPrefix; a bare Pod's own) differ between `old_workload` and
// `new_workload`. A field set to null counts as absent, and names::kQuarantineKey in
// nodeSelector is ignored (an empty nodeSelector counts as absent): the operator's DaemonSet
// quarantine and restore patches change nothing the engine judges. Everything else in the pod
// spec counts, even fields no control reads (a new image is a new workload to judge).
bool PodTemplateChanged(const policy::Workload& old_workload, const policy::Workload& new_workload);

}  // namespace csp::admission
