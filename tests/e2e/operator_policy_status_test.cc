// The status the operator writes on a ContainerSecurityPolicy (api.md): observedGeneration
// follows the spec, Ready=True, the workload counts (a workload fails when any result fails,
// else is exempted when an exemption skipped any rule, else passes) and, per exemption, how many
// workloads it matched and whether it expired.
#include <string>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kReconcile = 60s;

json Counts(int total, int passing, int failing, int exempted) {
  return {{"total", total},
          {"passing", passing},
          {"failing", failing},
          {"exempted", exempted},
          {"reverted", 0}};
}

json ExemptionStatus(int index, int matched, bool expired) {
  return {{"index", index}, {"matched", matched}, {"expired", expired}};
}

class OperatorPolicyStatusTest : public OperatorTest {
 protected:
  // Waits until the policy's status shows exactly these counts and exemption entries for its
  // current generation, with Ready=True.
  void ExpectStatus(const std::string& policy, const json& workloads, const json& exemptions) {
    json last;
    const bool ok = Eventually(
        [&] {
          auto p = TryGet("containersecuritypolicies.containersecurity.dev", "", policy);
          if (!p) return false;
          last = *p;
          const json& status = last.value("status", json::object());
          bool ready = false;
          for (const json& c : status.value("conditions", json::array())) {
            if (c.value("type", "") == "Ready") {
              ready = c.value("status", "") == "True" && c.value("reason", "") == "Reconciled" &&
                      !c.value("lastTransitionTime", "").empty();
            }
          }
          return ready &&
                 status.value("observedGeneration", -1) ==
                     last["metadata"].value("generation", 0) &&
                 status.value("workloads", json()) == workloads &&
                 status.value("exemptions", json::array()) == exemptions;
        },
        kReconcile);
    EXPECT_TRUE(ok) << "want status.workloads " << workloads.dump() << ", status.exemptions "
                    << exemptions.dump() << ", Ready=True (Reconciled) and observedGeneration "
                    << "== generation; last policy: " << last.dump(2);
  }
};

TEST_F(OperatorPolicyStatusTest, CountsWorkloadsAndExemptionsForTheCurrentGeneration) {
  Create(DeploymentObject("fails", 1, PodSpec(/*privileged=*/true)));
  Create(DeploymentObject("passes", 1, PodSpec(/*privileged=*/false)));
  Create(DeploymentObject("exempt-me", 1, PodSpec(/*privileged=*/true)));
  Create(PodObject("bare-exempt-me", PodSpec(/*privileged=*/true)));
  StartOperator();
  ASSERT_FALSE(HasFailure());

  json spec = PrivilegedOnlyPolicySpec(ns(), "Audit");
  spec["exemptions"] = {
      {{"names", {"*exempt-me"}}, {"reason", "matches two workloads (e2e)"}},
      {{"names", {"nothing-*"}},
       {"reason", "long expired (e2e)"},
       {"expires", "2020-01-01T00:00:00Z"}},
  };
  const std::string policy = CreatePolicy("status", spec);
  ASSERT_FALSE(HasFailure());
  ExpectStatus(policy, Counts(4, 1, 1, 2),
               {ExemptionStatus(0, 2, false), ExemptionStatus(1, 0, true)});

  // A new generation: the first exemption no longer reaches the bare Pod.
  spec["exemptions"][0]["kinds"] = {"Deployment"};
  PatchPolicySpec(policy, {{"exemptions", spec["exemptions"]}});
  ExpectStatus(policy, Counts(4, 1, 2, 1),
               {ExemptionStatus(0, 1, false), ExemptionStatus(1, 0, true)});

  // Workloads come and go without a new generation.
  CommandResult r = Kubectl({"-n", ns(), "delete", "deployment", "fails", "--wait=false"});
  ASSERT_EQ(r.exit_code, 0) << r;
  ExpectStatus(policy, Counts(3, 1, 1, 1),
               {ExemptionStatus(0, 1, false), ExemptionStatus(1, 0, true)});

  // Exemptions removed: no entries left.
  PatchPolicySpec(policy, {{"exemptions", json::array()}});
  ExpectStatus(policy, Counts(3, 1, 2, 0), json::array());
}

}  // namespace
}  // namespace csp::e2e
