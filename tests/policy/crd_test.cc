// The ContainerSecurityPolicy CRD and the control registry agree: every copy of the CRD's
// spec.controls schema names exactly the registered controls and their fields, with no API
// server defaults under a control (the engine holds them, and a preset must see what a policy
// sets). AllControls() is the one statement of
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

// Every place the CRD is shipped from, relative to the repository root: crds/ and the copies
// hack/sync-chart-crds.sh makes (tests/packaging holds them equal to it).
std::vector<std::string> CrdCopies() {
  return {"crds/" + std::string(kCrdFile), "charts/csp-operator/crds/" + std::string(kCrdFile),
          "config/crd/" + std::string(kCrdFile)};
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
                           return info.param.substr(0, info.param.find('/'));
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
    // No API server defaults under a control: a preset (spec.podSecurityStandard) must see
    // which fields the policy sets itself; the engine fills the rest (ControlDefaults).
    EXPECT_FALSE(schema.contains("default")) << "the control object has a default";
    const json description = At(schema, "/description");
    EXPECT_TRUE(description.is_string() &&
                description.get<std::string>().rfind(std::string(c.id) + ".", 0) == 0)
        << "the description starts with the rule id: " << description;

    std::set<std::string> fields = {"enabled", "severity", "action"};
    for (const ControlField& f : c.fields) fields.insert(std::string(f.name));
    EXPECT_EQ(Keys(At(schema, "/properties")), fields) << "fields differ from Control::fields";

    for (const std::string& field : fields) {
      const json property = At(schema, "/properties/" + field);
      EXPECT_TRUE(property.is_object() && !property.contains("default"))
          << field << " has an API server default";
    }
    // The presets are valid settings of the control.
    for (std::string_view preset : {c.pss_baseline, c.pss_restricted}) {
      if (preset.empty()) continue;
      const json settings = json::parse(preset, nullptr, false);
      ASSERT_TRUE(settings.is_object()) << preset;
      for (auto it = settings.begin(); it != settings.end(); ++it) {
        EXPECT_TRUE(fields.contains(it.key())) << "preset field " << it.key() << " is not a field";
      }
    }
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
    // The pattern's alternatives: the built-in kinds, then a custom kind with its group.
    std::string builtin = "^(";
    for (std::string_view kind : names::kWorkloadKinds) builtin += std::string(kind) + "|";
    for (const std::string& path : {spec + "/match/properties/kinds/items/pattern",
                                    spec + "/exemptions/items/properties/kinds/items/pattern"}) {
      const std::string pattern = At(crd, path).get<std::string>();
      EXPECT_TRUE(pattern.starts_with(builtin + "[A-Z]")) << path << ": " << pattern;
    }
  }
}

// config/crd builds from its copy (kustomize loads no file outside the folder), which
// CrdControlsTest holds to the registry like the others.
TEST(CrdCopiesTest, KustomizationListsItsOwnCopy) {
  const std::string kustomization = ReadRepoFile("config/crd/kustomization.yaml");
  EXPECT_NE(kustomization.find("  - " + std::string(kCrdFile)), std::string::npos)
      << "config/crd/kustomization.yaml must list " << kCrdFile << " (hack/sync-chart-crds.sh)";
}

}  // namespace
}  // namespace csp::policy
