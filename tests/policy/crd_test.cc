// The ContainerSecurityPolicy CRD and the control registry agree: every copy of the CRD's
// spec.controls schema names exactly the registered controls, with the registry's defaults
// (enabled, severity, each field's default) and fields. AllControls() is the one statement of
// the set; when a control is added or changed, these tests say which CRD lines to write.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "csp/manifest/manifest_reader.h"
#include "csp/names/names.h"
#include "csp/policy/control.h"

namespace csp::policy {
namespace {

using nlohmann::json;

constexpr std::string_view kCrdFile = "containersecurity.dev_containersecuritypolicies.yaml";

// Every place the CRD is shipped from, relative to the repository root. The chart's crds/ is
// a link to crds/ today; should it become a copy, it is still held to the registry.
std::vector<std::string> CrdCopies() {
  return {"crds/" + std::string(kCrdFile), "charts/csp-operator/crds/" + std::string(kCrdFile)};
}

std::string ReadRepoFile(const std::string& relative) {
  std::ifstream in(std::string(CSP_REPO_ROOT) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << relative;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The one document of `relative`, as JSON.
json LoadCrd(const std::string& relative) {
  std::optional<json> crd;
  manifest::ParseManifests(
      ReadRepoFile(relative), relative, manifest::Limits{.threads = 1},
      [&](manifest::Document&& d) {
        if (!d.value.is_null()) crd = std::move(d.value);
      },
      [&](manifest::ReadError&& e) { ADD_FAILURE() << e.ToString(); });
  EXPECT_TRUE(crd.has_value()) << relative << " holds no document";
  return crd.value_or(json::object());
}

// The value at `pointer` in `doc`, or null when there is none.
json At(const json& doc, const std::string& pointer) {
  const json::json_pointer p(pointer);
  return doc.contains(p) ? doc.at(p) : json();
}

// spec.controls of the CRD's only version.
json ControlsSchema(const json& crd) {
  return At(crd, "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/controls");
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  if (!object.is_object()) return keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.insert(it.key());
  return keys;
}

class CrdControlsTest : public testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(EveryCopy, CrdControlsTest, testing::ValuesIn(CrdCopies()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.index == 0 ? std::string("crds") : std::string("chart");
                         });

TEST_P(CrdControlsTest, NamesExactlyTheRegisteredControls) {
  const json controls = ControlsSchema(LoadCrd(GetParam()));
  std::set<std::string> registered;
  for (const Control& c : AllControls()) registered.insert(std::string(c.key));
  EXPECT_EQ(Keys(At(controls, "/properties")), registered)
      << GetParam() << ": spec.controls.properties must name exactly the controls of "
      << "AllControls() (operator/policy/CMakeLists.txt CSP_CONTROLS): add or remove the schema "
      << "of the control that changed";
  EXPECT_EQ(At(controls, "/default"), json::object()) << GetParam();
}

TEST_P(CrdControlsTest, EachControlHasTheRegistryDefaultsAndFields) {
  const json properties = At(ControlsSchema(LoadCrd(GetParam())), "/properties");
  for (const Control& c : AllControls()) {
    SCOPED_TRACE(GetParam() + ": spec.controls." + std::string(c.key) + " (" + std::string(c.id) +
                 ")");
    const std::string key(c.key);
    if (!properties.is_object() || !properties.contains(key)) {
      ADD_FAILURE() << "missing from the CRD";
      continue;
    }
    const json& schema = properties[key];
    EXPECT_EQ(At(schema, "/type"), "object");
    EXPECT_EQ(At(schema, "/default"), json::object())
        << "nested defaults apply only under a default";
    const json description = At(schema, "/description");
    EXPECT_TRUE(description.is_string() &&
                description.get<std::string>().rfind(std::string(c.id) + ".", 0) == 0)
        << "the description starts with the rule id: " << description;

    std::set<std::string> fields = {"enabled", "severity", "action"};
    for (const ControlField& f : c.fields) fields.insert(std::string(f.name));
    EXPECT_EQ(Keys(At(schema, "/properties")), fields) << "fields differ from Control::fields";

    // What the API server fills in for an empty control object, field by field.
    const json want = ControlDefaults(c);
    for (auto it = want.begin(); it != want.end(); ++it) {
      EXPECT_EQ(At(schema, "/properties/" + it.key() + "/default"), it.value())
          << "default of " << it.key() << " differs from the control's";
    }
    EXPECT_TRUE(At(schema, "/properties/action").is_object() &&
                !At(schema, "/properties/action").contains("default"))
        << "action has no default: unset means spec.action";
  }
}

// The CRD's names and the kinds a policy may match are csp::names', which the parser checks.
TEST(CrdNamesTest, AreThoseOfNames) {
  for (const std::string& copy : CrdCopies()) {
    SCOPED_TRACE(copy);
    const json crd = LoadCrd(copy);
    EXPECT_EQ(At(crd, "/spec/group"), names::kPolicies.group);
    EXPECT_EQ(At(crd, "/spec/names/kind"), names::kPolicies.kind);
    EXPECT_EQ(At(crd, "/spec/names/plural"), names::kPolicies.plural);
    EXPECT_EQ(At(crd, "/spec/scope"), names::kPolicies.namespaced ? "Namespaced" : "Cluster");
    EXPECT_EQ(At(crd, "/spec/versions/0/name"), names::kPolicies.version);
    const std::string spec = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties";
    const json kinds(
        std::vector<std::string>(names::kWorkloadKinds.begin(), names::kWorkloadKinds.end()));
    EXPECT_EQ(At(crd, spec + "/match/properties/kinds/items/enum"), kinds);
    EXPECT_EQ(At(crd, spec + "/exemptions/items/properties/kinds/items/enum"), kinds);
  }
}

// config/crd builds from crds/ itself, so it cannot drift: make sure it still does.
TEST(CrdCopiesTest, KustomizationListsTheCrdsFolderFile) {
  const std::string kustomization = ReadRepoFile("config/crd/kustomization.yaml");
  EXPECT_NE(kustomization.find("- ../../crds/" + std::string(kCrdFile)), std::string::npos)
      << "config/crd/kustomization.yaml must list ../../crds/" << kCrdFile
      << "; a copy of its own would escape CrdControlsTest";
}

}  // namespace
}  // namespace csp::policy
