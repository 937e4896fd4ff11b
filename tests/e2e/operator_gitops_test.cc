// Remediation against a GitOps controller (docs/remediation.md "Revert detection"): a fixture
// plays Argo CD with self-heal, server-side applying the Git manifest (replicas included) as
// field manager argocd-controller every second. The operator scales the violating Deployment
// down, sees it put back, scales it down once more, and at the second revert stops: it records
// the stop on the workload, reports `reverted by argocd-controller`, emits one Warning Event,
// counts the workload in the policy's status, and patches nothing more while Git stays as it
// is. When Git is fixed, the workload ends compliant and labeled so. Flux is
// operator_gitops_flux_test.cc.
#include "gitops_fixture.h"

namespace csp::e2e {
namespace {

class OperatorGitOpsTest : public GitOpsTest {};

TEST_F(OperatorGitOpsTest, StopsAfterTheSecondRevertAndLabelsTheFixedManifest) {
  ExpectBackOffAfterSecondRevert(ArgoCd(ns()));
}

}  // namespace
}  // namespace csp::e2e
