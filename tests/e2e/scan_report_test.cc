// The reports `cspctl scan` prints are the objects the operator writes: the real API server's
// PolicyReport CRD must accept them unchanged, and `kubectl get policyreports` must show them.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "e2e_env.h"

namespace csp::e2e {
namespace {

using json = nlohmann::json;

class ScanReportTest : public E2ETest {};

TEST_F(ScanReportTest, ReportsOfTheExamplesApplyAndList) {
  ASSERT_EQ(Kubectl({"apply", "--server-side", "-f", RepoRoot() + "/crds/"}).exit_code, 0);
  ASSERT_TRUE(WaitCrdsEstablished({"policyreports.wgpolicyk8s.io"}));
  // The workloads' namespaces come from the examples themselves.
  CommandResult ns =
      Kubectl({"apply", "-f", RepoRoot() + "/examples/workloads/00-namespaces.yaml"});
  ASSERT_EQ(ns.exit_code, 0) << ns;

  const std::string cspctl = BuildDir() + "/operator/cmd/scan/cspctl";
  // One instant for both scans: the results' timestamps are the scan's time, and two runs can
  // fall on either side of a second.
  const std::string now = "2026-06-01T12:00:00Z";
  CommandResult scan =
      Run({cspctl, "scan", "-o", "yaml", "--now", now, "--policy",
           RepoRoot() + "/examples/policies/baseline.yaml", RepoRoot() + "/examples/workloads"});
  ASSERT_EQ(scan.exit_code, 1) << scan;  // the examples hold violations
  CommandResult scan_json =
      Run({cspctl, "scan", "-o", "json", "--now", now, "--policy",
           RepoRoot() + "/examples/policies/baseline.yaml", RepoRoot() + "/examples/workloads"});
  const json list = json::parse(scan_json.out);
  ASSERT_FALSE(list["items"].empty());

  // Strict field validation: any field the CRD does not know is an error, not a silent drop.
  CommandResult apply =
      Kubectl({"apply", "--server-side", "--field-manager=e2e", "-f", "-"}, scan.out);
  ASSERT_EQ(apply.exit_code, 0) << apply;

  // Read back: every report is stored with its results and summary as printed.
  std::set<std::string> want;
  for (const json& report : list["items"]) {
    const std::string ns_name = report["metadata"]["namespace"];
    const std::string name = report["metadata"]["name"];
    want.insert(ns_name + "/" + name);
    json stored = KubectlJson({"-n", ns_name, "get", "policyreport", name});
    EXPECT_EQ(stored["results"], report["results"]) << ns_name << "/" << name;
    EXPECT_EQ(stored["summary"], report["summary"]) << ns_name << "/" << name;
    EXPECT_EQ(stored["metadata"]["labels"], report["metadata"]["labels"]);
  }

  // kubectl get policyreports -A lists them with their counts (the CRD's printer columns).
  CommandResult get =
      Kubectl({"get", "policyreports", "-A", "-l", "app.kubernetes.io/managed-by=csp-operator"});
  ASSERT_EQ(get.exit_code, 0) << get;
  EXPECT_NE(get.out.find("PASS"), std::string::npos) << get;
  EXPECT_NE(get.out.find("FAIL"), std::string::npos) << get;
  for (const json& report : list["items"]) {
    const std::string row_start = report["metadata"]["namespace"].get<std::string>();
    const std::string fail = std::to_string(report["summary"]["fail"].get<int>());
    bool found = false;
    std::istringstream lines(get.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(row_start + " ", 0) == 0 &&
          line.find(report["metadata"]["name"].get<std::string>()) != std::string::npos &&
          line.find(" " + fail + " ") != std::string::npos) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << "no row for " << row_start << " with fail=" << fail << " in:\n"
                       << get.out;
  }

  for (const std::string& key : want) {
    const std::string ns_name = key.substr(0, key.find('/'));
    Kubectl({"-n", ns_name, "delete", "policyreport", key.substr(key.find('/') + 1)});
  }
}

}  // namespace
}  // namespace csp::e2e
