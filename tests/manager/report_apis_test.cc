// DeleteStaleReports: our reports (by label) of the APIs not written go, in every namespace;
// reports of the APIs written and reports of others stay.
#include "csp/manager/report_apis.h"

#include <gtest/gtest.h>

#include "fake_api_server.h"

namespace csp::manager {
namespace {

using nlohmann::json;

class ReportApisTest : public ::testing::Test {
 protected:
  ReportApisTest() {
    auto transport = std::make_unique<test::FakeApiServer>();
    server_ = transport.get();
    client_ = std::make_unique<kube::Client>(std::move(transport),
                                             kube::RestConfig{.server = "https://fake"},
                                             kube::ClientOptions{.qps = 0});
  }

  // A report of `resource` in ns, ours or someone else's.
  std::string Seed(const names::Resource& resource, const std::string& ns, const std::string& name,
                   bool ours) {
    json labels = {{"team", "a"}};
    if (ours) labels[std::string(names::kManagedByLabel)] = names::kManagedByOperator;
    const std::string path = kube::ToResourceRef(resource).ObjectPath(ns, name);
    server_->Put(path, {{"apiVersion", "x"},
                        {"kind", resource.kind},
                        {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}}});
    return path;
  }

  test::FakeApiServer* server_ = nullptr;
  std::unique_ptr<kube::Client> client_;
};

TEST_F(ReportApisTest, OpenReportsDeletesOurPolicyReportsOnly) {
  const std::string ours_a = Seed(names::kPolicyReports, "a", "csp-p", true);
  const std::string ours_b = Seed(names::kPolicyReports, "b", "csp-p-2", true);
  const std::string foreign = Seed(names::kPolicyReports, "a", "kyverno", false);
  const std::string report = Seed(names::kOpenReports, "a", "csp-p", true);
  const std::vector<names::ReportApi> written = {names::ReportApi::kOpenReports};
  Result<int> deleted = DeleteStaleReports(*client_, written);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(*deleted, 2);
  EXPECT_TRUE(server_->Get(ours_a).is_null());
  EXPECT_TRUE(server_->Get(ours_b).is_null());
  EXPECT_FALSE(server_->Get(foreign).is_null());
  EXPECT_FALSE(server_->Get(report).is_null());
  // Nothing left to delete.
  EXPECT_EQ(*DeleteStaleReports(*client_, written), 0);
}

TEST_F(ReportApisTest, WgPolicyK8sDeletesOurReportsAndBothDeletesNothing) {
  const std::string polr = Seed(names::kPolicyReports, "a", "csp-p", true);
  const std::string report = Seed(names::kOpenReports, "a", "csp-p", true);
  EXPECT_EQ(*DeleteStaleReports(*client_, names::ReportApisOf("both")), 0);
  EXPECT_FALSE(server_->Get(report).is_null());
  EXPECT_EQ(*DeleteStaleReports(*client_, names::ReportApisOf("wgpolicyk8s")), 1);
  EXPECT_TRUE(server_->Get(report).is_null());
  EXPECT_FALSE(server_->Get(polr).is_null());
  // The cluster-scoped node report is the agents': never the operator's to delete.
  EXPECT_TRUE(server_->requests("DELETE") ==
              std::vector<std::string>{
                  "DELETE " + kube::ToResourceRef(names::kOpenReports).ObjectPath("a", "csp-p")});
}

// RBAC for the chosen API only (config/rbac/ today): the other API's reports cannot be listed,
// which leaves them, with a warning, and is no failure to retry.
TEST_F(ReportApisTest, AnApiItMayNotListIsLeftAlone) {
  server_->forbidden = {"/apis/openreports.io/"};
  const std::vector<names::ReportApi> written = {names::ReportApi::kWgPolicyK8s};
  Result<int> deleted = DeleteStaleReports(*client_, written);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(*deleted, 0);
}

TEST(CrdNameTest, PluralDotGroup) {
  EXPECT_EQ(CrdName(names::kOpenReports), "reports.openreports.io");
  EXPECT_EQ(CrdName(names::kClusterPolicyReports), "clusterpolicyreports.wgpolicyk8s.io");
}

}  // namespace
}  // namespace csp::manager
