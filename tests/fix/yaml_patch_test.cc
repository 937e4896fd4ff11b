// PatchYaml: a JSON Patch as the smallest text edit. Each case gives the text, the patch and
// the exact text wanted: every byte outside the edited lines (comments, order, quoting, other
// documents) must stay, and refusals must leave the text alone and say why.
#include "csp/fix/yaml_patch.h"

#include <gtest/gtest.h>

namespace csp::fix {
namespace {

using nlohmann::json;

struct Case {
  std::string name;
  std::string text;
  std::string patch;
  std::string want;  // "" when refused
  WorkloadPlace place = {};
  std::string refusal = {};  // a substring of the refusal
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const Case kCases[] = {
    {"replace_keeps_comments_and_other_lines",
     R"(# the web tier
apiVersion: apps/v1
kind: Deployment   # managed by hand
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: app   # main
        securityContext:
          privileged: true    # TODO drop
)",
     R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":false}])",
     R"(# the web tier
apiVersion: apps/v1
kind: Deployment   # managed by hand
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: app   # main
        securityContext:
          privileged: false    # TODO drop
)"},
    {"replace_keeps_quoting",
     R"(kind: Pod
spec:
  securityContext:
    seccompProfile: {type: 'Unconfined'}
  containers:
  - name: a
    securityContext:
      seccompProfile:
        type: "Unconfined"
)",
     R"([{"op":"replace","path":"/spec/containers/0/securityContext/seccompProfile/type","value":"RuntimeDefault"}])",
     R"(kind: Pod
spec:
  securityContext:
    seccompProfile: {type: 'Unconfined'}
  containers:
  - name: a
    securityContext:
      seccompProfile:
        type: "RuntimeDefault"
)"},
    {"scalar_in_flow_mapping_is_replaced_in_place",
     R"(kind: Pod
spec:
  securityContext: {seccompProfile: {type: 'Unconfined'}}
)",
     R"([{"op":"replace","path":"/spec/securityContext/seccompProfile/type","value":"RuntimeDefault"}])",
     R"(kind: Pod
spec:
  securityContext: {seccompProfile: {type: 'RuntimeDefault'}}
)"},
    {"missing_parents_become_one_block",
     R"(kind: Pod
spec:
  containers:
  - name: a
    image: nginx # pinned later
  - name: b
)",
     R"([{"op":"add","path":"/spec/containers/0/securityContext","value":{}},
         {"op":"add","path":"/spec/containers/0/securityContext/seccompProfile","value":{}},
         {"op":"add","path":"/spec/containers/0/securityContext/seccompProfile/type","value":"RuntimeDefault"}])",
     R"(kind: Pod
spec:
  containers:
  - name: a
    image: nginx # pinned later
    securityContext:
      seccompProfile:
        type: RuntimeDefault
  - name: b
)"},
    {"null_parent_is_replaced_by_a_block",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext: null
    image: x
)",
     R"([{"op":"replace","path":"/spec/containers/0/securityContext","value":{}},
         {"op":"add","path":"/spec/containers/0/securityContext/allowPrivilegeEscalation","value":false}])",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext:
      allowPrivilegeEscalation: false
    image: x
)"},
    {"empty_flow_mapping_becomes_a_block",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext: {}
)",
     R"([{"op":"add","path":"/spec/containers/0/securityContext/privileged","value":false}])",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext:
      privileged: false
)"},
    {"remove_block_items_and_append",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext:
      capabilities:
        add:
        - SYS_ADMIN   # for mount
        - NET_BIND_SERVICE
        - NET_RAW
        drop: ["NET_RAW"]
)",
     R"([{"op":"add","path":"/spec/containers/0/securityContext/capabilities/drop/-","value":"ALL"},
         {"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add/2"},
         {"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add/0"}])",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext:
      capabilities:
        add:
        - NET_BIND_SERVICE
        drop: ["NET_RAW", ALL]
)"},
    {"remove_flow_items",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext:
      capabilities: {add: [SYS_ADMIN, NET_BIND_SERVICE, NET_RAW]}
)",
     R"([{"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add/2"},
         {"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add/0"}])",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext:
      capabilities: {add: [NET_BIND_SERVICE]}
)"},
    {"remove_only_entry_leaves_an_empty_mapping",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext:
      capabilities:
        add: [NET_ADMIN]
      privileged: false
)",
     R"([{"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add"}])",
     R"(kind: Pod
spec:
  containers:
  - name: a
    securityContext:
      capabilities: {}
      privileged: false
)"},
    {"second_document_and_list_item",
     R"(kind: ConfigMap
metadata: {name: c}
---
apiVersion: v1
kind: List
items:
- kind: Pod
  apiVersion: v1
  spec: {containers: [{name: a}]}
- kind: Pod   # this one
  apiVersion: v1
  metadata:
    annotations:
      container.apparmor.security.beta.kubernetes.io/a: unconfined
  spec:
    containers:
    - name: a
)",
     R"([{"op":"replace","path":"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a","value":"runtime/default"}])",
     R"(kind: ConfigMap
metadata: {name: c}
---
apiVersion: v1
kind: List
items:
- kind: Pod
  apiVersion: v1
  spec: {containers: [{name: a}]}
- kind: Pod   # this one
  apiVersion: v1
  metadata:
    annotations:
      container.apparmor.security.beta.kubernetes.io/a: runtime/default
  spec:
    containers:
    - name: a
)",
     {.document = 1, .item = 1}},
    {"flow_mapping_members_are_added_and_removed_in_flow_style",
     R"(kind: Pod
spec: {containers: [{name: a, securityContext: {runAsUser: 5, capabilities: {add: [X]}}},
  {name: b, securityContext: null}]}
)",
     R"([{"op":"add","path":"/spec/containers/0/securityContext/runAsNonRoot","value":true},
         {"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add"},
         {"op":"replace","path":"/spec/containers/1/securityContext","value":{}},
         {"op":"add","path":"/spec/containers/1/securityContext/seccompProfile","value":{}},
         {"op":"add","path":"/spec/containers/1/securityContext/seccompProfile/type","value":"RuntimeDefault"}])",
     R"(kind: Pod
spec: {containers: [{name: a, securityContext: {runAsUser: 5, capabilities: {}, runAsNonRoot: true}},
  {name: b, securityContext: {seccompProfile: {type: RuntimeDefault}}}]}
)"},
    {"block_scalars_are_refused",
     R"(kind: Pod
metadata:
  annotations:
    container.apparmor.security.beta.kubernetes.io/a: |
      unconfined
spec: {containers: [{name: a}]}
)",
     R"([{"op":"replace","path":"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a","value":"runtime/default"}])",
     "",
     {},
     "replace /metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a: a block "
     "scalar"},
    {"anchors_are_refused",
     R"(kind: Pod
spec:
  containers:
  - &c
    name: a
    securityContext: {privileged: true}
)",
     R"([{"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false}])",
     "",
     {},
     "anchors or aliases"},
    {"json_is_refused",
     R"({"kind":"Pod","spec":{"containers":[{"name":"a","securityContext":{"privileged":true}}]}})",
     R"([{"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false}])",
     "",
     {},
     "JSON file"},
    {"first_key_of_an_item_is_not_removed",
     R"(kind: Pod
spec:
  securityContext:
    seccompProfile:
      type: Localhost
      localhostProfile: x.json
  containers:
  - localhostProfile: 1
    name: a
)",
     R"([{"op":"remove","path":"/spec/containers/0/localhostProfile"}])",
     "",
     {},
     "does not start its line"},
};

class PatchYamlTest : public testing::TestWithParam<Case> {};

TEST_P(PatchYamlTest, EditsOnlyWhatThePatchChanges) {
  const Case& c = GetParam();
  auto got = PatchYaml(c.text, c.place, json::parse(c.patch));
  if (c.want.empty()) {
    ASSERT_FALSE(got) << *got;
    EXPECT_NE(got.error().message.find(c.refusal), std::string::npos) << got.error().message;
    return;
  }
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, c.want);
}

INSTANTIATE_TEST_SUITE_P(Cases, PatchYamlTest, testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::fix
