// --report-api against the real API server (docs/api.md "Reports"): with openreports the
// operator writes openreports.io/v1alpha1 Reports carrying the results it writes as
// PolicyReports with wgpolicyk8s; with both it writes both; a restart with another setting
// deletes our reports of the API no longer written; and a missing CRD of the API chosen stops
// it at start with a message naming the CRD.
//
// The operators here run with the admin's kubeconfig: config/rbac/ does not grant openreports.io
// (the chart and config/ add those rules).
#include <string>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kReconcile = 60s;
constexpr char kPolicyReports[] = "policyreports.wgpolicyk8s.io";
constexpr char kOpenReports[] = "reports.openreports.io";

class OpenReportsTest : public OperatorTest {
 protected:
  void SetUp() override {
    OperatorTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(WaitCrdsEstablished({"reports.openreports.io", "clusterreports.openreports.io"}));
    policy_ = CreatePolicy("orep", PrivilegedOnlyPolicySpec(ns(), "Audit"));
    Create(DeploymentObject("bad", 1, PodSpec(/*privileged=*/true)));
    Create(DeploymentObject("good", 1, PodSpec(/*privileged=*/false)));
  }

  OperatorProcess* StartWith(const std::string& report_api) {
    return StartOperator(
        {.extra_args = {"--report-api=" + report_api}, .kubeconfig = Kubeconfig()});
  }

  void StopAll() {
    // TearDown stops what is still running; a test switching settings stops one first.
    for (OperatorProcess* op : started_) {
      if (op->Running()) {
        EXPECT_EQ(op->Stop(), std::optional<int>(0)) << op->LogTail();
      }
    }
    started_.clear();
  }

  // The report csp-<policy> of `resource` once it holds both workloads' results.
  std::optional<json> WaitReport(const std::string& resource) {
    std::optional<json> report;
    Eventually(
        [&] {
          report = TryGet(resource, ns(), "csp-" + policy_);
          return report && ReportedNames(*report) == std::vector<std::string>{"bad", "good"};
        },
        kReconcile);
    return report;
  }

  bool Gone(const std::string& resource) {
    return Eventually([&] { return !TryGet(resource, ns(), "csp-" + policy_); }, kReconcile);
  }

  std::string policy_;
  std::vector<OperatorProcess*> started_;
};

// The results without their timestamps: a report written later stamps them later.
json Untimed(const json& report) {
  json results = report.value("results", json::array());
  for (json& r : results) r.erase("timestamp");
  return results;
}

TEST_F(OpenReportsTest, OpenReportsCarryTheResultsOfPolicyReportsAndSwitchingDeletesTheOld) {
  started_.push_back(StartWith("wgpolicyk8s"));
  const std::optional<json> polr = WaitReport(kPolicyReports);
  ASSERT_TRUE(polr) << "no PolicyReport csp-" << policy_;
  EXPECT_EQ(ResultOf(ns(), policy_, "Deployment", "bad", kPrivilegedRule), "fail");
  EXPECT_FALSE(TryGet(kOpenReports, ns(), "csp-" + policy_)) << "a Report with wgpolicyk8s";
  StopAll();

  started_.push_back(StartWith("openreports"));
  const std::optional<json> rep = WaitReport(kOpenReports);
  ASSERT_TRUE(rep) << "no Report csp-" << policy_;
  EXPECT_EQ((*rep)["apiVersion"], "openreports.io/v1alpha1");
  EXPECT_EQ((*rep)["kind"], "Report");
  EXPECT_EQ((*rep)["source"], "containersecurity");
  EXPECT_EQ((*rep)["metadata"]["labels"], (*polr)["metadata"]["labels"]);
  EXPECT_EQ((*rep)["summary"], (*polr)["summary"]);
  EXPECT_EQ(Untimed(*rep), Untimed(*polr));
  EXPECT_TRUE(Gone(kPolicyReports)) << "the PolicyReport outlived the switch to openreports";

  // What a user types: kubectl get reports -A lists ours.
  CommandResult listed = Kubectl({"get", "reports", "-A"});
  ASSERT_EQ(listed.exit_code, 0) << listed;
  EXPECT_NE(listed.out.find("csp-" + policy_), std::string::npos) << listed;
}

TEST_F(OpenReportsTest, BothWritesBothThenOpenReportsAloneDeletesThePolicyReports) {
  started_.push_back(StartWith("both"));
  const std::optional<json> polr = WaitReport(kPolicyReports);
  const std::optional<json> rep = WaitReport(kOpenReports);
  ASSERT_TRUE(polr && rep);
  EXPECT_EQ((*rep)["summary"], (*polr)["summary"]);
  EXPECT_EQ(Untimed(*rep), Untimed(*polr));
  // Fixed, the violator passes in both.
  Patch("deployments.apps", "bad",
        {{"spec",
          {{"template",
            {{"spec",
              {{"containers",
                {{{"name", "app"}, {"securityContext", {{"privileged", false}}}}}}}}}}}}},
        "strategic");
  EXPECT_TRUE(Eventually(
      [&] {
        auto p = TryGet(kPolicyReports, ns(), "csp-" + policy_);
        auto r = TryGet(kOpenReports, ns(), "csp-" + policy_);
        return p && r && (*p)["summary"]["fail"] == 0 && (*r)["summary"]["fail"] == 0;
      },
      kReconcile));
  StopAll();

  started_.push_back(StartWith("openreports"));
  EXPECT_TRUE(Gone(kPolicyReports)) << "the PolicyReport outlived the switch to openreports";
  EXPECT_TRUE(TryGet(kOpenReports, ns(), "csp-" + policy_));

  // And back: wgpolicyk8s deletes the Reports.
  StopAll();
  started_.push_back(StartWith("wgpolicyk8s"));
  EXPECT_TRUE(WaitReport(kPolicyReports));
  EXPECT_TRUE(Gone(kOpenReports)) << "the Report outlived the switch to wgpolicyk8s";
}

// Last in the file: it removes a CRD (and puts it back) under the other tests' feet.
TEST_F(OpenReportsTest, MissingCrdStopsTheOperatorNamingIt) {
  ASSERT_EQ(Kubectl({"delete", "crd", "clusterreports.openreports.io", "--wait=true"}).exit_code,
            0);
  OperatorProcess* op =
      LaunchOperator({.extra_args = {"--report-api=openreports"}, .kubeconfig = Kubeconfig()});
  EXPECT_TRUE(Eventually([&] { return !op->Running(); }, 60s)) << op->LogTail();
  EXPECT_EQ(op->exit_code(), std::optional<int>(1));
  EXPECT_NE(op->LogTail().find("the CRD clusterreports.openreports.io is not installed"),
            std::string::npos)
      << op->LogTail();
  CommandResult back = Kubectl(
      {"apply", "--server-side", "-f", RepoRoot() + "/crds/openreports.io_clusterreports.yaml"});
  EXPECT_EQ(back.exit_code, 0) << back;
}

}  // namespace
}  // namespace csp::e2e
