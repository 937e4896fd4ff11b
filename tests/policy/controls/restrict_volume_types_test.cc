// restrict-volume-types: every volume's source must be in `allowed` (default PSS restricted's:
// configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected,
// secret); a volume without a source is the emptyDir the API server makes of it. Disabled by
// default. Rows from PSA's check_restrictedVolumes_test.go and its restricted fixtures.
#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::policy {
namespace {

using test::RuleCase;

constexpr char kOn[] = R"({"enabled":true})";

// A pod with container "a" and the one volume "v" whose source is `source` ({"nfs":{...}}).
std::string Volume(std::string_view type) {
  return R"({"containers":[{"name":"a"}],"volumes":[{"name":"v",")" + std::string(type) +
         R"(":{}}]})";
}

// One row per source: whether PSS restricted allows it.
RuleCase Source(const std::string& type, bool allowed) {
  if (allowed) return {"allows_" + type, Volume(type), Outcome::kPass, {}, {}, kOn};
  return {"refuses_" + type,
          Volume(type),
          Outcome::kFail,
          {},
          {"volume \"v\": " + type + " is not an allowed volume type"},
          kOn};
}

const RuleCase kCases[] = {
    {"disabled_by_default", Volume("nfs"), Outcome::kSkip, {}, {"disabled"}},
    {"no_volumes", R"({"containers":[{"name":"a"}]})", Outcome::kPass, {}, {}, kOn},
    // PSA's "host path volumes" case, source by source: a1-a9 pass, b1-b21 fail.
    Source("emptyDir", true),
    Source("secret", true),
    Source("persistentVolumeClaim", true),
    Source("downwardAPI", true),
    Source("configMap", true),
    Source("projected", true),
    Source("csi", true),
    Source("ephemeral", true),
    Source("image", true),
    Source("hostPath", false),
    Source("gcePersistentDisk", false),
    Source("awsElasticBlockStore", false),
    Source("gitRepo", false),
    Source("nfs", false),
    Source("iscsi", false),
    Source("glusterfs", false),
    Source("rbd", false),
    Source("flexVolume", false),
    Source("cinder", false),
    Source("cephfs", false),
    Source("flocker", false),
    Source("fc", false),
    Source("azureFile", false),
    Source("vsphereVolume", false),
    Source("quobyte", false),
    Source("azureDisk", false),
    Source("photonPersistentDisk", false),
    Source("portworxVolume", false),
    Source("scaleIO", false),
    Source("storageos", false),
    // A source this engine does not know (a newer Kubernetes') is not allowed either.
    Source("someFutureSource", false),
    // PSA fails an empty VolumeSource as "unknown", but the API server defaults it to emptyDir
    // before PSA sees it (fixture pass/restrictedvolumes0's volume0).
    {"no_source_is_empty_dir",
     R"({"containers":[{"name":"a"}],"volumes":[{"name":"v"}]})",
     Outcome::kPass,
     {},
     {},
     kOn},
    {"null_source_is_no_source",
     R"({"containers":[{"name":"a"}],"volumes":[{"name":"v","nfs":null}]})",
     Outcome::kPass,
     {},
     {},
     kOn},
    {"no_source_when_empty_dir_not_allowed",
     R"({"containers":[{"name":"a"}],"volumes":[{"name":"v"}]})",
     Outcome::kFail,
     {},
     {R"(volume "v": no source (an emptyDir) is not an allowed volume type)"},
     R"({"enabled":true,"allowed":["secret"]})"},
    // Each offending volume is named; the containers mounting it are the offending containers.
    {"mounting_containers_named",
     R"({"initContainers":[{"name":"setup","volumeMounts":[{"name":"data","mountPath":"/d"}]}],
         "containers":[{"name":"a","volumeMounts":[{"name":"data","mountPath":"/d"},
                                                   {"name":"data","mountPath":"/e"},
                                                   {"name":"cfg","mountPath":"/c"}]},
                       {"name":"b"}],
         "volumes":[{"name":"data","nfs":{"server":"s","path":"/x"}},
                    {"name":"cfg","configMap":{"name":"c"}},
                    {"name":"repo","gitRepo":{"repository":"r"}}]})",
     Outcome::kFail,
     {"setup", "a"},
     {R"(volume "data": nfs is not an allowed volume type)",
      R"(volume "repo": gitRepo is not an allowed volume type)"},
     kOn},
    // Fixture restrictedvolumes19: hostPath fails here as well as restrict-host-path.
    {"fixture_host_path",
     R"({"containers":[{"name":"container1"}],
         "volumes":[{"name":"volume1","hostPath":{"path":"/dev/null"}}]})",
     Outcome::kFail,
     {},
     {R"(volume "volume1": hostPath)"},
     kOn},
    // A policy's allowed replaces the default.
    {"allowed_replaces_default",
     Volume("emptyDir"),
     Outcome::kFail,
     {},
     {"emptyDir"},
     R"({"enabled":true,"allowed":["nfs"]})"},
    {"allowed_custom",
     Volume("nfs"),
     Outcome::kPass,
     {},
     {},
     R"({"enabled":true,"allowed":["nfs","configMap"]})"},
    {"allowed_empty_allows_none",
     Volume("secret"),
     Outcome::kFail,
     {},
     {"secret"},
     R"({"enabled":true,"allowed":[]})"},
    {"disabled", Volume("nfs"), Outcome::kSkip, {}, {"disabled"}, R"({"enabled":false})"},
};

class RestrictVolumeTypesTest : public testing::TestWithParam<RuleCase> {};

TEST_P(RestrictVolumeTypesTest, Evaluates) {
  test::RunRuleCase("restrict-volume-types", GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, RestrictVolumeTypesTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

// A misspelt source would allow nothing; the policy is refused, enabled or not.
TEST(RestrictVolumeTypesSettingsTest, RefusesAnUnknownSource) {
  Result<Policy> policy = ParsePolicy(test::PolicyWithControl(
      "volumeTypes", R"({"enabled":false,"allowed":["secret","configmap"]})"));
  ASSERT_FALSE(policy) << "accepted";
  EXPECT_NE(policy.error().message.find(
                R"(spec.controls.volumeTypes.allowed[1]: "configmap" is not a volume source)"),
            std::string::npos)
      << policy.error().message;
}

}  // namespace
}  // namespace csp::policy
