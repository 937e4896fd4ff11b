// The tape's view of a workload object (tape_object_view.h) against the JSON tree of the same
// document: every fix patch written through it is the tree's, or the view says it cannot tell.
#include "csp/manifest/tape_object_view.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/manifest/manifest_reader.h"
#include "csp/policy/fix.h"

namespace csp::manifest {
namespace {

using json = nlohmann::json;
using Edit = policy::FixEdit;

// Calls fn(tape, reader) for the one document of `text`, which the tape reader must accept.
void WithTape(const std::string& text,
              const std::function<void(const YamlTape&, const TapeWorkloadReader&)>& fn) {
  TapeWorkloadReader reader{Limits{}};
  int offered = 0;
  const TapeSink sink = [&](const YamlTape& tape) {
    ++offered;
    const bool read = reader.Read(tape, "default", false).has_value();
    EXPECT_TRUE(read) << text;
    if (read) fn(tape, reader);
    return true;
  };
  ParseManifests(
      text, "x.yaml", Limits{}, [](Document&&) {}, [](ReadError&&) {}, &sink);
  EXPECT_EQ(offered, 1) << text;
}

Document TreeOf(const std::string& text) {
  std::vector<Document> docs;
  ParseManifests(
      text, "x.yaml", Limits{}, [&](Document&& d) { docs.push_back(std::move(d)); },
      [](ReadError&& e) { ADD_FAILURE() << e.message; });
  EXPECT_EQ(docs.size(), 1u);
  return docs.empty() ? Document{} : std::move(docs[0]);
}

const std::string kHead = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n";

// Documents that differ in what a patch meets on its way: missing, null and present parents,
// values equal and not, lists of each kind, scalars of each type.
const std::vector<std::string> kDocuments = {
    kHead + "spec: {template: {spec: {containers: [{name: a, image: x}]}}}\n",
    kHead +
        "spec:\n  template:\n    spec:\n      securityContext:\n      containers:\n"
        "      - name: a\n        securityContext: ~\n",
    kHead +
        "spec:\n  template:\n    spec:\n      securityContext: {runAsNonRoot: true, "
        "seccompProfile: {type: Localhost, localhostProfile: p.json}}\n"
        "      initContainers: [{name: i, securityContext: {privileged: yes}}]\n"
        "      containers:\n      - name: a\n        securityContext:\n"
        "          privileged: false\n          runAsUser: 0x10\n"
        "          capabilities: {add: [NET_ADMIN, SYS_TIME], drop: [ALL]}\n"
        "      - name: b\n        securityContext: {privileged: true, runAsUser: 0}\n"
        "      volumes: [{name: s, hostPath: {path: /var/run/docker.sock}}, {name: e}]\n",
    kHead +
        "spec: {template: {spec: {containers: [{name: a, weight: 1.5, securityContext: "
        "{procMount: \"Default\", readOnlyRootFilesystem: null}}]}}}\n",
    kHead + "spec: {template: {}}\n",
    kHead + "spec: {}\n",
};

const std::vector<std::vector<Edit>> kEdits = {
    {{.path = {"spec", "containers", "0", "securityContext", "privileged"}, .value = false}},
    {{.path = {"spec", "containers", "1", "securityContext", "privileged"}, .value = false}},
    {{.path = {"spec", "initContainers", "0", "securityContext", "privileged"}, .value = false}},
    {{.path = {"spec", "securityContext", "seccompProfile", "type"}, .value = "RuntimeDefault"},
     {.kind = Edit::Kind::kRemove,
      .path = {"spec", "securityContext", "seccompProfile", "localhostProfile"}}},
    {{.path = {"spec", "securityContext", "runAsNonRoot"}, .value = true}},
    {{.path = {"spec", "containers", "0", "securityContext", "runAsUser"}, .value = 16}},
    {{.path = {"spec", "containers", "1", "securityContext", "runAsUser"}, .value = 0}},
    {{.path = {"spec", "containers", "0", "weight"}, .value = 1.5}},
    {{.path = {"spec", "containers", "0", "securityContext", "procMount"}, .value = "Default"}},
    {{.path = {"spec", "containers", "0", "securityContext", "readOnlyRootFilesystem"},
      .value = true}},
    {{.kind = Edit::Kind::kAppend,
      .path = {"spec", "containers", "0", "securityContext", "capabilities", "drop"},
      .value = "ALL"}},
    {{.kind = Edit::Kind::kRemove,
      .path = {"spec", "containers", "0", "securityContext", "capabilities", "add", "1"}},
     {.kind = Edit::Kind::kRemove,
      .path = {"spec", "containers", "0", "securityContext", "capabilities", "add", "0"}}},
    {{.kind = Edit::Kind::kRemove, .path = {"spec", "volumes", "0"}}},
    {{.path = {"spec", "containers", "7", "securityContext", "privileged"}, .value = false}},
    {{.path = {"spec", "containers", "99999999999999999999999", "x"}, .value = 1}},
};

TEST(TapeObjectViewTest, PatchesAreTheTreesOrUndecided) {
  int decided = 0;
  for (const std::string& text : kDocuments) {
    const Document tree = TreeOf(text);
    WithTape(text, [&](const YamlTape& tape, const TapeWorkloadReader& reader) {
      const TapeObjectView view(tape, reader);
      for (const std::vector<Edit>& edits : kEdits) {
        const json want = policy::ToJsonPatch(tree.value, "/spec/template", edits);
        const std::optional<json> got = policy::ToJsonPatch(view, "/spec/template", edits);
        if (!got) continue;  // the tree path then runs; the scan's differential tests cover it
        ++decided;
        EXPECT_EQ(*got, want) << text << "\nedits from " << edits[0].path[1];
      }
    });
  }
  // Every edit above sets scalars; only the float of the last document is not compared.
  EXPECT_EQ(decided, static_cast<int>(kDocuments.size() * kEdits.size()) - 1);
}

TEST(TapeObjectViewTest, EqualsLikeTheTreeOrSaysItCannotTell) {
  const std::string text = kHead +
                           "x: {s: abc, q: \"123\", nil: ~, b: on, t: true, i: 0x10, f: 1.5, "
                           "m: {k: v}, l: [1]}\n";
  const Document tree = TreeOf(text);
  const policy::JsonObjectView tree_view(&tree.value);
  const std::vector<json> values = {
      "abc", "123", 123, 16, 16.0, "16", nullptr, true, false, "on", 1.5, "v", json::array({1})};
  WithTape(text, [&](const YamlTape& tape, const TapeWorkloadReader& reader) {
    const TapeObjectView view(tape, reader);
    int decided = 0;
    for (const char* pointer : {"/x/s", "/x/q", "/x/nil", "/x/b", "/x/t", "/x/i", "/x/m"}) {
      for (const json& value : values) {
        const std::optional<bool> got = view.Equals(view.At(pointer), value);
        if (std::string_view(pointer) == "/x/m" && value.is_array()) {
          EXPECT_EQ(got, std::nullopt);  // two containers: not compared here
          continue;
        }
        ASSERT_TRUE(got.has_value()) << pointer << " " << value;
        EXPECT_EQ(*got, *tree_view.Equals(tree_view.At(pointer), value)) << pointer << " " << value;
        decided += *got ? 1 : 0;
      }
      EXPECT_EQ(view.IsNull(view.At(pointer)), tree_view.IsNull(tree_view.At(pointer))) << pointer;
    }
    EXPECT_GE(decided, 6);                                       // some equal, not only unequal
    EXPECT_EQ(view.Equals(view.At("/x/f"), 1.5), std::nullopt);  // a float is not resolved
    EXPECT_TRUE(view.IsArray(view.At("/x/l")));
    EXPECT_FALSE(view.IsArray(view.At("/x/m")));
  });
}

TEST(TapeObjectViewTest, PointersAndChildren) {
  const std::string text = kHead + "x:\n  a/b: 1\n  c~d: 2\n  l: [p, q]\n";
  WithTape(text, [&](const YamlTape& tape, const TapeWorkloadReader& reader) {
    const TapeObjectView view(tape, reader);
    const Document tree = TreeOf(text);
    const policy::JsonObjectView tree_view(&tree.value);
    EXPECT_NE(view.At(""), policy::ObjectView::kAbsent);
    EXPECT_EQ(view.Equals(view.At("/x/a~1b"), 1), true);
    EXPECT_EQ(view.Equals(view.At("/x/c~0d"), 2), true);
    EXPECT_EQ(view.Equals(view.At("/x/l/1"), "q"), true);
    for (const char* absent : {"/x/l/2", "/x/l/-", "/x/l/01x", "/y", "/x/a~1b/z", "x"}) {
      EXPECT_EQ(view.At(absent), policy::ObjectView::kAbsent) << absent;
    }
    for (const char* absent : {"/x/l/2", "/y", "/x/a~1b/z"}) {
      EXPECT_EQ(tree_view.At(absent), policy::ObjectView::kAbsent) << absent;
    }
    EXPECT_EQ(view.Child(view.At("/x/l"), "0"), view.At("/x/l/0"));
    EXPECT_EQ(view.Child(policy::ObjectView::kAbsent, "x"), policy::ObjectView::kAbsent);
  });
}

}  // namespace
}  // namespace csp::manifest
