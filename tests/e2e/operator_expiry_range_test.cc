// Exemption expiries at both ends of RFC 3339's range (issue 11, defect 1): an exemption
// expiring 9999-12-31T23:59:59Z applies, one that expired 0001-01-01T00:00:00Z does not, and
// the operator, whose clock holds only about 1677-2262, does not spin on either.
#include <string>
#include <thread>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kReconcile = 60s;

class OperatorExpiryRangeTest : public OperatorTest {};

double Reconciles(const OperatorProcess& op) {
  const auto samples = op.Metrics();
  return SumMetric(samples, "csp_reconcile_total");
}

TEST_F(OperatorExpiryRangeTest, FarFutureAppliesYearOneDoesNotAndNothingSpins) {
  Create(DeploymentObject("forever", 1, PodSpec(/*privileged=*/true)));
  Create(DeploymentObject("long-ago", 1, PodSpec(/*privileged=*/true)));
  OperatorProcess* op = StartOperator();
  ASSERT_FALSE(HasFailure());

  json spec = PrivilegedOnlyPolicySpec(ns(), "Audit");
  spec["exemptions"] = {
      {{"names", {"forever"}},
       {"reason", "last second of 9999 (e2e)"},
       {"expires", "9999-12-31T23:59:59Z"}},
      {{"names", {"long-ago"}},
       {"reason", "first second of year 1 (e2e)"},
       {"expires", "0001-01-01T00:00:00Z"}},
  };
  const std::string policy = CreatePolicy("expiry-range", spec);
  ASSERT_FALSE(HasFailure());

  // docs/controls.md: an exempted (workload, rule) pair reports skip; an expired exemption no
  // longer applies.
  EXPECT_TRUE(Eventually(
      [&] {
        return ResultOf(ns(), policy, "Deployment", "forever", kPrivilegedRule) == "skip" &&
               ResultOf(ns(), policy, "Deployment", "long-ago", kPrivilegedRule) == "fail";
      },
      kReconcile))
      << "forever: " << ResultOf(ns(), policy, "Deployment", "forever", kPrivilegedRule)
      << ", long-ago: " << ResultOf(ns(), policy, "Deployment", "long-ago", kPrivilegedRule);
  json last;
  EXPECT_TRUE(Eventually(
      [&] {
        auto p = TryGet("containersecuritypolicies.containersecurity.dev", "", policy);
        if (!p) return false;
        last = *p;
        const json status = last.value("status", json::object());
        return status.value("workloads", json()) == json{{"total", 2},
                                                         {"passing", 0},
                                                         {"failing", 1},
                                                         {"exempted", 1},
                                                         {"reverted", 0}} &&
               status.value("exemptions", json()) ==
                   json{{{"index", 0}, {"matched", 1}, {"expired", false}},
                        {{"index", 1}, {"matched", 0}, {"expired", true}}};
      },
      kReconcile))
      << last.dump(2);
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());

  // No spin: with the far expiry read as "now" the "expiry" key would run again and again, each
  // run queueing every namespace and policy. Settled, a few seconds add only a few reconciles
  // (other tests' namespaces may still be going away).
  std::this_thread::sleep_for(2s);
  const double before = Reconciles(*op);
  std::this_thread::sleep_for(5s);
  const double after = Reconciles(*op);
  EXPECT_LE(after - before, 50) << "reconciles in 5 s of quiet: " << before << " -> " << after;
  EXPECT_TRUE(op->Running());
}

}  // namespace
}  // namespace csp::e2e
