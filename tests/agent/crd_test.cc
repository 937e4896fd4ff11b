// The SecurityProfile CRD and the agent agree: the same enums, limits and names, so that what
// the API server accepts the agent can install, and what it refuses the agent would refuse.
#include <gtest/gtest.h>

#include <array>
#include <optional>

#include "csp/agent/node_profile_state.h"
#include "csp/manifest/manifest_reader.h"
#include "csp/names/names.h"
#include "csp/profiles/apparmor_policy.h"
#include "csp/profiles/profile_name.h"
#include "csp/profiles/seccomp_profile.h"
#include "csp/profiles/seccomp_vocabulary.h"
#include "csp/profiles/security_profile.h"
#include "temp_dir.h"

namespace csp::agent {
namespace {

nlohmann::json LoadSchema() {
  const std::string file =
      std::string(CSP_REPO_ROOT) + "/crds/containersecurity.dev_securityprofiles.yaml";
  std::optional<nlohmann::json> crd;
  manifest::ParseManifests(
      csp::test::ReadText(file), file, manifest::Limits{.threads = 1},
      [&](manifest::Document&& d) {
        if (!d.value.is_null()) crd = std::move(d.value);
      },
      [&](manifest::ReadError&& e) { ADD_FAILURE() << e.ToString(); });
  EXPECT_TRUE(crd.has_value());
  if (!crd) return {};
  EXPECT_EQ((*crd)["spec"]["group"], names::kSecurityProfiles.group);
  EXPECT_EQ((*crd)["spec"]["scope"], "Cluster");
  EXPECT_FALSE(names::kSecurityProfiles.namespaced);
  EXPECT_EQ((*crd)["spec"]["names"]["kind"], names::kSecurityProfiles.kind);
  EXPECT_EQ((*crd)["spec"]["names"]["plural"], names::kSecurityProfiles.plural);
  EXPECT_EQ(std::string(names::kApiVersion),
            "containersecurity.dev/" + (*crd)["spec"]["versions"][0]["name"].get<std::string>());
  return (*crd)["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

std::vector<std::string> Strings(std::span<const std::string_view> list) {
  return {list.begin(), list.end()};
}

TEST(CrdTest, EnumsMatchTheAgent) {
  const nlohmann::json schema = LoadSchema();
  const nlohmann::json& spec = schema["properties"]["spec"]["properties"];
  EXPECT_EQ(spec["type"]["enum"], Strings(std::array{names::kSeccompType, names::kAppArmorType}));
  const nlohmann::json& seccomp = spec["seccomp"]["properties"];
  EXPECT_EQ(seccomp["defaultAction"]["enum"], Strings(profiles::SeccompActions()));
  EXPECT_EQ(seccomp["architectures"]["items"]["enum"], Strings(profiles::SeccompArchitectures()));
  const nlohmann::json& rule = seccomp["syscalls"]["items"]["properties"];
  EXPECT_EQ(rule["action"]["enum"], Strings(profiles::SeccompActions()));
  EXPECT_EQ(rule["args"]["items"]["properties"]["op"]["enum"],
            Strings(profiles::SeccompOperators()));
}

TEST(CrdTest, LimitsMatchTheAgent) {
  const nlohmann::json schema = LoadSchema();
  EXPECT_EQ(schema["properties"]["metadata"]["properties"]["name"]["maxLength"],
            profiles::kMaxProfileNameBytes);
  const nlohmann::json& spec = schema["properties"]["spec"]["properties"];
  EXPECT_EQ(spec["appArmor"]["maxLength"], profiles::kMaxAppArmorPolicyBytes);
  const nlohmann::json& seccomp = spec["seccomp"]["properties"];
  EXPECT_EQ(seccomp["defaultErrnoRet"]["maximum"], profiles::kMaxErrno);
  EXPECT_EQ(seccomp["syscalls"]["maxItems"], profiles::kMaxSeccompRules);
  const nlohmann::json& rule = seccomp["syscalls"]["items"]["properties"];
  EXPECT_EQ(rule["names"]["maxItems"], profiles::kMaxSeccompNamesPerRule);
  EXPECT_EQ(rule["names"]["items"]["maxLength"], profiles::kMaxSyscallNameBytes);
  EXPECT_EQ(rule["errnoRet"]["maximum"], profiles::kMaxErrno);
  EXPECT_EQ(rule["args"]["items"]["properties"]["index"]["maximum"], 5);
  EXPECT_NE(schema["x-kubernetes-validations"].dump().find(std::string(names::kDefaultProfileName)),
            std::string::npos);
}

// status.nodeStatus is what the agents write (profile_status.h): a list keyed by node, the
// agents' state names, and room for the longest message they write.
TEST(CrdTest, NodeStatusMatchesTheAgent) {
  const nlohmann::json schema = LoadSchema();
  const nlohmann::json& status = schema["properties"]["status"]["properties"];
  const nlohmann::json& list = status["nodeStatus"];
  EXPECT_EQ(list["x-kubernetes-list-type"], "map");
  EXPECT_EQ(list["x-kubernetes-list-map-keys"], (nlohmann::json{"node"}));
  const nlohmann::json& entry = list["items"]["properties"];
  EXPECT_EQ(entry["state"]["enum"], Strings(NodeProfileStateNames()));
  EXPECT_EQ(entry["message"]["maxLength"], kMaxStatusMessageBytes);
  for (const char* count : {"selected", "installed", "pending", "failed", "unsupported"}) {
    EXPECT_EQ(status["nodes"]["properties"][count]["type"], "integer") << count;
  }
}

}  // namespace
}  // namespace csp::agent
