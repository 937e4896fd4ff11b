// The OpenReports CRDs are optional (crds.openreports): Helm's crds/ folder installs
// unconditionally, so templates/openreports-crds.yaml renders whatever files/openreports-crds/
// holds (hack/sync-chart-crds.sh copies crds/openreports.io_*.yaml there), annotated so that
// `helm uninstall` keeps them like the other CRDs. Tested on a copy of the chart with a small
// CRD of its own, so that the test does not depend on which CRDs crds/ holds today.
#include <gtest/gtest.h>

#include <string>

#include "packaging_tools.h"
#include "temp_dir.h"

namespace csp::packaging {
namespace {

namespace fs = std::filesystem;

constexpr char kCrd[] = R"(# a comment, as the upstream files have
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: reports.openreports.io
  annotations:
    controller-gen.kubebuilder.io/version: v0.16.5
spec:
  group: openreports.io
  names: {kind: Report, listKind: ReportList, plural: reports, singular: report}
  scope: Namespaced
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
)";

class OpenReportsCrdsTest : public PackagingTest {
 protected:
  void SetUp() override {
    PackagingTest::SetUp();
    if (IsSkipped()) return;
    fs::copy(ChartDir(), chart(), fs::copy_options::recursive);
    fs::remove_all(chart() / "files/openreports-crds");
    test::WriteText(chart() / "files/openreports-crds/openreports.io_reports.yaml", kCrd);
  }

  fs::path chart() const { return dir_.path() / "csp-operator"; }

  std::vector<nlohmann::json> Crds(const std::string& install) {
    const test::CommandResult r =
        test::Run({HelmBinary()->string(), "template", "x", chart().string(), "--set",
                   "crds.openreports=" + install});
    EXPECT_EQ(r.exit_code, 0) << r;
    std::vector<nlohmann::json> crds;
    for (nlohmann::json& object : ParseYaml(r.out)) {
      if (object.value("kind", "") == "CustomResourceDefinition") crds.push_back(object);
    }
    return crds;
  }

  test::TempDir dir_;
};

TEST_F(OpenReportsCrdsTest, RenderedOnlyWhenAskedAndKeptOnUninstall) {
  EXPECT_TRUE(Crds("false").empty());
  const std::vector<nlohmann::json> crds = Crds("true");
  ASSERT_EQ(crds.size(), 1u);
  EXPECT_EQ(crds[0]["metadata"]["name"], "reports.openreports.io");
  const nlohmann::json& annotations = crds[0]["metadata"]["annotations"];
  EXPECT_EQ(annotations.value("helm.sh/resource-policy", ""), "keep") << annotations;
  EXPECT_EQ(annotations.value("controller-gen.kubebuilder.io/version", ""), "v0.16.5")
      << "the file's own annotations are kept";
  EXPECT_EQ(crds[0]["spec"], ParseYaml(kCrd).at(0)["spec"]) << "rendered unchanged";
}

}  // namespace
}  // namespace csp::packaging
