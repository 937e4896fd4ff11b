// crds/ is the one source of the CRDs; config/crd/ and the chart ship real copies of it
// (kustomize loads no file outside a kustomization's folder, and a symlink breaks when the chart
// folder is copied or packaged alone). hack/sync-chart-crds.sh makes the copies; these tests
// fail when one differs, is missing or is stale, and say to run it.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "packaging_tools.h"
#include "temp_dir.h"

namespace csp::packaging {
namespace {

namespace fs = std::filesystem;

constexpr char kRerun[] = " (run hack/sync-chart-crds.sh)";

// The OpenReports CRDs are optional: another tool may own them.
bool IsOptional(const std::string& file) { return file.starts_with("openreports.io_"); }

std::set<std::string> YamlFiles(const fs::path& dir) {
  std::set<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".yaml" && name != "kustomization.yaml") files.insert(name);
  }
  return files;
}

struct CopyPlace {
  fs::path dir = {};
  bool optional = false;       // holds the OpenReports CRDs, else all others
  bool kustomization = false;  // has a kustomization.yaml listing them
};

std::vector<CopyPlace> Places() {
  const fs::path root = RepoRoot();
  return {{root / "config/crd", false, true},
          {ChartDir() / "crds", false, false},
          {root / "config/crd/openreports", true, true},
          {ChartDir() / "files/openreports-crds", true, false}};
}

TEST(CrdCopiesTest, EveryPlaceHoldsExactlyItsCrdsAsRealEqualFiles) {
  const std::set<std::string> sources = YamlFiles(RepoRoot() / "crds");
  ASSERT_FALSE(sources.empty());
  for (const CopyPlace& place : Places()) {
    SCOPED_TRACE(place.dir.string());
    EXPECT_FALSE(fs::is_symlink(place.dir)) << "must be a folder of real files" << kRerun;
    std::set<std::string> want;
    for (const std::string& file : sources) {
      if (IsOptional(file) == place.optional) want.insert(file);
    }
    EXPECT_EQ(YamlFiles(place.dir), want) << "stale or missing copies" << kRerun;
    for (const std::string& file : want) {
      const fs::path copy = place.dir / file;
      EXPECT_FALSE(fs::is_symlink(copy)) << copy << " must be a real file" << kRerun;
      EXPECT_EQ(test::ReadText(copy), test::ReadText(RepoRoot() / "crds" / file))
          << copy << " differs from crds/" << file << kRerun;
    }
  }
}

class CrdKustomizationTest : public PackagingTest {};

// `kubectl apply -k config/crd` needs no flag: the kustomization lists its own files, and lists
// every one of them (as does config/crd/openreports).
TEST_F(CrdKustomizationTest, BuildsEveryCopyWithoutLiftingTheLoadRestrictor) {
  for (const CopyPlace& place : Places()) {
    if (!place.kustomization) continue;
    SCOPED_TRACE(place.dir.string());
    std::set<std::string> built;
    for (const nlohmann::json& object : Kustomize(place.dir)) {
      EXPECT_EQ(object.value("kind", ""), "CustomResourceDefinition");
      built.insert(object["metadata"].value("name", ""));
    }
    std::set<std::string> copied;
    for (const std::string& file : YamlFiles(place.dir)) {
      for (const nlohmann::json& object : ParseYaml(test::ReadText(place.dir / file))) {
        copied.insert(object["metadata"].value("name", ""));
      }
    }
    EXPECT_EQ(built, copied) << "kustomization.yaml does not list its folder" << kRerun;
  }
}

// The chart folder alone (copied, as `helm package` and `helm pull` hand it over) still carries
// its CRDs.
TEST_F(CrdKustomizationTest, ChartCopiedAloneKeepsItsCrds) {
  test::TempDir dir;
  fs::copy(ChartDir(), dir.path() / "csp-operator", fs::copy_options::recursive);
  const test::CommandResult r =
      test::Run({HelmBinary()->string(), "template", "x", (dir.path() / "csp-operator").string(),
                 "--include-crds"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::set<std::string> crds;
  for (const nlohmann::json& object : ParseYaml(r.out)) {
    if (object.value("kind", "") == "CustomResourceDefinition") {
      crds.insert(object["metadata"].value("name", ""));
    }
  }
  EXPECT_EQ(crds,
            (std::set<std::string>{
                "containersecuritypolicies.containersecurity.dev",
                "securityprofiles.containersecurity.dev", "workloadkinds.containersecurity.dev",
                "policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io"}));
}

}  // namespace
}  // namespace csp::packaging
