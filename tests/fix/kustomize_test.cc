// Kustomize output: file names that never collide, targets by group/version/kind/name.
#include "csp/fix/kustomize.h"

#include <gtest/gtest.h>

namespace csp::fix {
namespace {

TEST(KustomizeTest, FileNamesAreLowerCaseAndUnique) {
  policy::WorkloadRef ref{
      .api_version = "apps/v1", .kind = "Deployment", .ns = "Prod", .name = "a/b"};
  EXPECT_EQ(PatchFileName(ref, {}), "deployment-prod-a_b.json");
  EXPECT_EQ(PatchFileName(ref, {"deployment-prod-a_b.json"}), "deployment-prod-a_b-2.json");
}

TEST(KustomizeTest, NamespaceOnlyWhenTheManifestNamesOne) {
  WorkloadPatch p{.ref = {.api_version = "batch/v1", .kind = "CronJob", .ns = "jobs", .name = "x"},
                  .has_namespace = true,
                  .patch = nlohmann::json::array()};
  const std::string text = Kustomization({p}, {"cronjob-jobs-x.json"});
  EXPECT_NE(text.find("    group: \"batch\"\n    version: \"v1\"\n    kind: \"CronJob\"\n"
                      "    name: \"x\"\n    namespace: \"jobs\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(Kustomization({}, {}).find("patches: []\n"), std::string::npos);
}

}  // namespace
}  // namespace csp::fix
