#include "csp/profiles/security_profile.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "csp/profiles/security_profile_file.h"

namespace csp::profiles {
namespace {

std::string ReadRepoFile(const std::string& relative) {
  std::ifstream in(std::string(CSP_REPO_ROOT) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct InvalidCase {
  const char* label;
  const char* yaml;
  const char* message;  // without the "FILE:LINE: " prefix
};

const InvalidCase kInvalid[] = {
    {"wrong_kind", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
     "not a SecurityProfile: apiVersion \"v1\", kind \"ConfigMap\" (want "
     "containersecurity.dev/v1alpha1, SecurityProfile)"},
    {"no_name", "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {}\n",
     "metadata.name: is required"},
    {"escaping_name",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: ../x}\n"
     "spec: {type: AppArmor, appArmor: 'profile x {}'}\n",
     "metadata.name: profile name \"../x\": must not contain '/' (it would leave the profile "
     "folder)"},
    {"dotdot_name",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: ..}\n",
     "metadata.name: profile name \"..\": must not contain \"..\" (it could leave the profile "
     "folder)"},
    {"reserved_name",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\n"
     "metadata: {name: csp-default}\nspec: {type: Seccomp, seccomp: {defaultAction: "
     "SCMP_ACT_LOG}}\n",
     "metadata.name: \"csp-default\" is reserved for the built-in profiles"},
    {"no_spec",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n",
     "spec: is required"},
    {"no_type",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec: {seccomp: {defaultAction: SCMP_ACT_LOG}}\n",
     "spec.type: is required (Seccomp or AppArmor)"},
    {"bad_type",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec: {type: SELinux}\n",
     "spec.type: \"SELinux\" is not a profile type (Seccomp or AppArmor)"},
    {"seccomp_missing_body",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec: {type: Seccomp}\n",
     "spec.seccomp: is required when spec.type is Seccomp"},
    {"both_bodies",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec: {type: Seccomp, seccomp: {defaultAction: SCMP_ACT_LOG}, appArmor: 'profile x {}'}\n",
     "spec.appArmor: must not be set when spec.type is Seccomp"},
    {"bad_seccomp_action",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec:\n  type: Seccomp\n  seccomp:\n    defaultAction: SCMP_ACT_ERRNO\n    syscalls:\n"
     "      - {names: [read], action: SCMP_ACT_ALLOW}\n"
     "      - {names: [write], action: SCMP_ACT_ALLOW}\n"
     "      - {names: [close], action: SCMP_ACT_ALLOW}\n"
     "      - {names: [mkdir], action: SCMP_ACT_FOO}\n",
     "spec.seccomp.syscalls[3].action: \"SCMP_ACT_FOO\" is not a seccomp action (one of "
     "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
     "SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG)"},
    {"apparmor_not_text",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec: {type: AppArmor, appArmor: {policy: x}}\n",
     "spec.appArmor: must be a string, not an object"},
    {"apparmor_empty",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec: {type: AppArmor, appArmor: '  '}\n",
     "spec.appArmor: must hold the AppArmor policy text, not be empty"},
    {"apparmor_other_name",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec: {type: AppArmor, appArmor: 'profile docker-default { file, }'}\n",
     "spec.appArmor: must declare `profile x { ... }`: pods name the profile by its declared "
     "name, and the agent installs it under the object's name (it declares docker-default)"},
    {"node_selector_not_strings",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec: {type: AppArmor, appArmor: 'profile x {}', nodeSelector: {zone: 3}}\n",
     "spec.nodeSelector.zone: must be a string, not a number"},
    {"unknown_spec_field",
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\nmetadata: {name: x}\n"
     "spec: {type: AppArmor, appArmor: 'profile x {}', selinux: {}}\n",
     "spec.selinux: unknown field (known: type, seccomp, appArmor, nodeSelector)"},
};

class SecurityProfileInvalidTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(SecurityProfileInvalidTest, NamesTheField) {
  Result<SecurityProfile> profile = ParseSecurityProfileText(GetParam().yaml, "sp.yaml");
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().code, Code::kInvalidArgument);
  EXPECT_EQ(profile.error().message, std::string("sp.yaml:1: ") + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Objects, SecurityProfileInvalidTest, testing::ValuesIn(kInvalid),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(SecurityProfileFileTest, NeedsExactlyOneDocument) {
  Result<SecurityProfile> none = ParseSecurityProfileText("# nothing\n", "empty.yaml");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "empty.yaml: holds 0 documents; give exactly one SecurityProfile");
  const std::string one = ReadRepoFile("examples/profiles/seccomp-static-server.yaml");
  Result<SecurityProfile> two = ParseSecurityProfileText(one + "---\n" + one, "two.yaml");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().message, "two.yaml: holds 2 documents; give exactly one SecurityProfile");
}

TEST(SecurityProfileFileTest, SyntaxErrorsNameTheLine) {
  Result<SecurityProfile> broken = ParseSecurityProfileText("kind: [\n", "broken.yaml");
  ASSERT_FALSE(broken);
  EXPECT_TRUE(broken.error().message.starts_with("broken.yaml:")) << broken.error().message;
}

TEST(SecurityProfileTest, SeccompExampleRendersItsBody) {
  Result<SecurityProfile> profile = ParseSecurityProfileText(
      ReadRepoFile("examples/profiles/seccomp-static-server.yaml"), "seccomp-static-server.yaml");
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(profile->name, "static-server");
  EXPECT_EQ(profile->kind, ProfileKind::kSeccomp);
  EXPECT_EQ(profile->node_selector,
            (std::map<std::string, std::string>{{"kubernetes.io/os", "linux"}}));
  const RenderedProfile rendered = RenderSecurityProfile(*profile);
  EXPECT_EQ(rendered.kind, ProfileKind::kSeccomp);
  EXPECT_EQ(rendered.name, "static-server");
  const nlohmann::json json = nlohmann::json::parse(rendered.bytes);
  EXPECT_EQ(json["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(json["architectures"], (nlohmann::json{"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"}));
  // As given: the rules in order, hex in the YAML written as the number it is.
  EXPECT_EQ(json["syscalls"][2]["names"], nlohmann::json{"clone"});
  EXPECT_EQ(json["syscalls"][2]["args"][0]["value"], 0x7E020000);
  EXPECT_EQ(json["syscalls"][3]["errnoRet"], 38);
  EXPECT_EQ(json["syscalls"].size(), 6u);
}

TEST(SecurityProfileTest, AppArmorExampleRendersItsText) {
  Result<SecurityProfile> profile = ParseSecurityProfileText(
      ReadRepoFile("examples/profiles/apparmor-read-only-app.yaml"), "apparmor-read-only-app.yaml");
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(profile->kind, ProfileKind::kAppArmor);
  const RenderedProfile rendered = RenderSecurityProfile(*profile);
  EXPECT_EQ(rendered.name, "read-only-app");
  EXPECT_TRUE(rendered.bytes.starts_with("profile read-only-app flags="));
  EXPECT_TRUE(rendered.bytes.ends_with("}\n"));
}

TEST(SecurityProfileTest, AppArmorTextGetsAFinalNewline) {
  Result<SecurityProfile> profile = ParseSecurityProfile(nlohmann::json::parse(R"({
    "apiVersion": "containersecurity.dev/v1alpha1", "kind": "SecurityProfile",
    "metadata": {"name": "tiny"}, "spec": {"type": "AppArmor", "appArmor": "profile tiny { file, }"}})"));
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_EQ(RenderSecurityProfile(*profile).bytes, "profile tiny { file, }\n");
}

TEST(SecurityProfileTest, NodeSelectorMatchesAllEntries) {
  SecurityProfile profile{.node_selector = {{"zone", "a"}, {"kubernetes.io/os", "linux"}}};
  EXPECT_TRUE(SelectsNode(profile, {{"zone", "a"}, {"kubernetes.io/os", "linux"}, {"x", "y"}}));
  EXPECT_FALSE(SelectsNode(profile, {{"zone", "b"}, {"kubernetes.io/os", "linux"}}));
  EXPECT_FALSE(SelectsNode(profile, {{"zone", "a"}}));
  EXPECT_TRUE(SelectsNode(SecurityProfile{}, {}));
}

}  // namespace
}  // namespace csp::profiles
