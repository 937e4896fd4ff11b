#include "csp/agent/profile_object.h"

#include <gtest/gtest.h>

namespace csp::agent {
namespace {

using nlohmann::json;

json Seccomp(const std::string& name, std::int64_t generation, json selector = nullptr) {
  json object = {
      {"apiVersion", "containersecurity.dev/v1alpha1"},
      {"kind", "SecurityProfile"},
      {"metadata", {{"name", name}, {"uid", "uid-" + name}, {"generation", generation}}},
      {"spec",
       {{"type", "Seccomp"},
        {"seccomp",
         {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"syscalls", {{{"names", {"read", "write"}}, {"action", "SCMP_ACT_ALLOW"}}}}}}}}};
  if (!selector.is_null()) object["spec"]["nodeSelector"] = std::move(selector);
  return object;
}

TEST(ProfileObjectTest, ParsesRendersAndFindsThisNodesEntry) {
  json object = Seccomp("web", 3, {{"zone", "a"}});
  object["status"] = {{"nodeStatus",
                       {{{"node", "n1"}, {"state", "Installed"}, {"observedGeneration", 2}},
                        {{"node", "n2"}, {"state", "Failed"}, {"observedGeneration", 3}}}}};
  ProfileObjectTransform transform("n2");
  const ProfileObject value = transform(object);
  EXPECT_EQ(value.name, "web");
  EXPECT_EQ(value.uid, "uid-web");
  EXPECT_EQ(value.generation, 3);
  ASSERT_TRUE(value.parsed->rendered);
  EXPECT_EQ(value.parsed->kind, profiles::ProfileKind::kSeccomp);
  EXPECT_EQ(value.parsed->rendered->name, "web");
  EXPECT_TRUE(
      value.parsed->rendered->bytes.starts_with("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\""))
      << value.parsed->rendered->bytes;
  EXPECT_EQ(value.parsed->node_selector, (std::map<std::string, std::string>{{"zone", "a"}}));
  ASSERT_TRUE(value.own_status);
  EXPECT_EQ(value.own_status->state, NodeProfileState::kFailed);
  EXPECT_EQ(value.own_status->observed_generation, 3);
}

// LIST items come without apiVersion and kind; they must parse all the same.
TEST(ProfileObjectTest, ListItemsWithoutTypeMetaParse) {
  json object = Seccomp("web", 1);
  object.erase("apiVersion");
  object.erase("kind");
  const ProfileObject value = ProfileObjectTransform("n1")(object);
  EXPECT_TRUE(value.parsed->rendered) << value.parsed->error;
  EXPECT_EQ(value.own_status, std::nullopt);
}

TEST(ProfileObjectTest, RefusedObjectsKeepTheirErrorTypeAndSelector) {
  json object = Seccomp("web", 1, {{"zone", "a"}});
  object["spec"]["seccomp"]["defaultAction"] = "SCMP_ACT_NOPE";
  const ProfileObject value = ProfileObjectTransform("n1")(object);
  EXPECT_FALSE(value.parsed->rendered);
  EXPECT_TRUE(value.parsed->error.starts_with("spec.seccomp.defaultAction: \"SCMP_ACT_NOPE\""))
      << value.parsed->error;
  EXPECT_EQ(value.parsed->kind, profiles::ProfileKind::kSeccomp);
  EXPECT_EQ(value.parsed->node_selector.at("zone"), "a");
}

// Object names cannot hold ".." or "/" (the API server refuses them), but the agent checks
// anyway before a name becomes a file name.
TEST(ProfileObjectTest, NamesThatCouldLeaveTheFolderAreRefused) {
  for (const std::string name : {"../escape", "a/b", ".hidden", "a..b"}) {
    const ProfileObject value = ProfileObjectTransform("n1")(Seccomp(name, 1));
    EXPECT_FALSE(value.parsed->rendered) << name;
    EXPECT_TRUE(value.parsed->error.starts_with("metadata.name: ")) << value.parsed->error;
  }
}

TEST(ProfileObjectTest, AppArmorTextMustDeclareTheObjectsName) {
  json object = {{"apiVersion", "containersecurity.dev/v1alpha1"},
                 {"kind", "SecurityProfile"},
                 {"metadata", {{"name", "web"}, {"uid", "u"}, {"generation", 1}}},
                 {"spec", {{"type", "AppArmor"}, {"appArmor", "profile ../../etc/evil {}\n"}}}};
  const ProfileObject value = ProfileObjectTransform("n1")(object);
  EXPECT_FALSE(value.parsed->rendered);
  EXPECT_EQ(value.parsed->kind, profiles::ProfileKind::kAppArmor);
  EXPECT_NE(value.parsed->error.find("must declare `profile web { ... }`"), std::string::npos)
      << value.parsed->error;
  EXPECT_NE(value.parsed->error.find("(it declares ../../etc/evil)"), std::string::npos)
      << value.parsed->error;
}

TEST(ProfileObjectTest, StatusOnlyChangesReuseTheParsedSpec) {
  ProfileObjectTransform transform("n1");
  json object = Seccomp("web", 1);
  const ProfileObject first = transform(object);
  object["status"] = {{"observedGeneration", 1}};
  const ProfileObject status_changed = transform(object);
  EXPECT_EQ(status_changed.parsed, first.parsed);  // the same parse, not an equal one

  object["metadata"]["generation"] = 2;
  object["spec"]["seccomp"]["defaultAction"] = "SCMP_ACT_KILL";
  const ProfileObject spec_changed = transform(object);
  EXPECT_NE(spec_changed.parsed, first.parsed);
  EXPECT_NE(spec_changed.parsed->rendered->bytes, first.parsed->rendered->bytes);

  // Deleted and created again: a new uid, generation 1 again, new content.
  transform.Forget("web");
  json recreated = Seccomp("web", 1);
  recreated["metadata"]["uid"] = "uid-2";
  recreated["spec"]["seccomp"]["defaultAction"] = "SCMP_ACT_LOG";
  EXPECT_NE(transform(recreated).parsed->rendered->bytes, first.parsed->rendered->bytes);
}

struct SelectCase {
  std::string name;
  json selector;
  std::map<std::string, std::string> labels;
  bool selected;
};

class SelectsNodeTest : public testing::TestWithParam<SelectCase> {};

TEST_P(SelectsNodeTest, MatchesEveryEntry) {
  const ProfileObject value = ProfileObjectTransform("n1")(Seccomp("web", 1, GetParam().selector));
  EXPECT_EQ(SelectsNode(value, GetParam().labels), GetParam().selected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SelectsNodeTest,
    testing::Values(SelectCase{"no_selector", nullptr, {}, true},
                    SelectCase{"empty_selector", json::object(), {{"a", "1"}}, true},
                    SelectCase{"match", {{"zone", "a"}}, {{"zone", "a"}, {"os", "linux"}}, true},
                    SelectCase{"other_value", {{"zone", "a"}}, {{"zone", "b"}}, false},
                    SelectCase{"missing_label", {{"zone", "a"}}, {{"os", "linux"}}, false},
                    SelectCase{
                        "all_must_match", {{"zone", "a"}, {"os", "linux"}}, {{"zone", "a"}}, false},
                    SelectCase{"empty_value", {{"zone", ""}}, {{"zone", ""}}, true}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::agent
