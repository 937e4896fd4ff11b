// Rules 2 and 3 in a cluster: a Localhost profile managed by csp-agent must be installed on
// every node the workload may run on (spec.nodeName, else the nodes matching
// spec.nodeSelector). Offline (no node facts) the spec alone is judged.
#include <gtest/gtest.h>

#include "csp/policy/node_facts.h"
#include "test_util.h"

namespace csp::policy {
namespace {

// n1 holds everything; n2 only the defaults; n3 the default seccomp profile and no AppArmor.
const NodeFacts& ClusterFacts() {
  static const NodeFacts facts{
      .nodes = {{.name = "n2", .labels = {{"zone", "a"}}},
                {.name = "n1", .labels = {{"zone", "a"}, {"disk", "ssd"}}},
                {.name = "n3", .labels = {{"zone", "b"}}}},
      .seccomp = {{"n1", {"containersecurity/csp-default.json", "containersecurity/web.json"}},
                  {"n2", {"containersecurity/csp-default.json"}},
                  {"n3", {"containersecurity/csp-default.json"}}},
      .apparmor = {{"n1", {"csp-default", "web-aa"}}, {"n2", {"csp-default"}}},
      .managed_apparmor = {"csp-default", "web-aa"}};
  return facts;
}

// Eight nodes m1..m8, none of which any agent reported on.
const NodeFacts& UnreportedFacts() {
  static const NodeFacts facts = [] {
    NodeFacts f{.managed_apparmor = {"csp-default"}};
    for (int i = 8; i >= 1; --i) f.nodes.push_back({.name = "m" + std::to_string(i)});
    return f;
  }();
  return facts;
}

enum class Facts { kOffline, kCluster, kUnreported };

struct Case {
  std::string name = {};
  std::string_view rule = {};
  std::string pod = {};
  Outcome want = Outcome::kPass;
  std::vector<std::string> containers = {};
  std::vector<std::string> message = {};  // substrings of the result's message
  std::vector<std::string> nodes = {};    // RuleResult::nodes
  Facts facts = Facts::kCluster;
  std::string annotations = {};
  std::string settings = {};
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

constexpr std::string_view kSeccomp = "require-seccomp";
constexpr std::string_view kAppArmor = "require-apparmor";

// A pod whose one container "a" has this seccomp localhostProfile; `extra` adds pod spec
// members (",\"nodeName\":\"n1\"").
std::string SeccompPod(std::string_view profile, std::string_view extra = "") {
  return R"({"containers":[{"name":"a","securityContext":{"seccompProfile":
           {"type":"Localhost","localhostProfile":")" +
         std::string(profile) + R"("}}}])" + std::string(extra) + "}";
}

std::string AppArmorPod(std::string_view profile, std::string_view extra = "") {
  return R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":
           {"type":"Localhost","localhostProfile":")" +
         std::string(profile) + R"("}}}])" + std::string(extra) + "}";
}

const Case kCases[] = {
    // Seccomp.
    {"seccomp_default_installed_everywhere", kSeccomp,
     SeccompPod("containersecurity/csp-default.json"), Outcome::kPass},
    {"seccomp_custom_missing_on_two_of_three",
     kSeccomp,
     SeccompPod("containersecurity/web.json"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": seccomp profile containersecurity/web.json is not installed on 2 of 3 )"
      "nodes it may run on: n2, n3"},
     {"n2", "n3"}},
    {"seccomp_node_selector_narrows_to_holders", kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"nodeSelector":{"disk":"ssd"})"), Outcome::kPass},
    {"seccomp_node_selector_zone",
     kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"nodeSelector":{"zone":"a"})"),
     Outcome::kFail,
     {"a"},
     {"is not installed on 1 of 2 nodes it may run on: n2"},
     {"n2"}},
    {"seccomp_node_selector_all_pairs_must_hold", kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"nodeSelector":{"zone":"b","disk":"ssd"})"),
     Outcome::kPass},
    {"seccomp_node_name_holder", kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"nodeName":"n1")"), Outcome::kPass},
    {"seccomp_node_name_lacking",
     kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"nodeName":"n2")"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": seccomp profile containersecurity/web.json is not installed on node )"
      "n2, the one node it may run on"},
     {"n2"}},
    {"seccomp_node_name_wins_over_selector", kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"nodeName":"n1","nodeSelector":{"zone":"b"})"),
     Outcome::kPass},
    // No candidate node: the pod cannot start anywhere, which is not this rule's failure.
    {"seccomp_node_name_unknown", kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"nodeName":"gone")"), Outcome::kPass},
    {"seccomp_selector_matches_no_node", kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"nodeSelector":{"zone":"c"})"), Outcome::kPass},
    // The operator's DaemonSet quarantine key does not make the pod "run nowhere".
    {"seccomp_quarantine_key_ignored",
     kSeccomp,
     SeccompPod("containersecurity/web.json",
                R"(,"nodeSelector":{"zone":"a","containersecurity.dev/quarantined":"true"})"),
     Outcome::kFail,
     {"a"},
     {"1 of 2 nodes it may run on: n2"},
     {"n2"}},
    {"seccomp_not_managed_by_agent", kSeccomp, SeccompPod("profiles/web.json"), Outcome::kPass},
    {"seccomp_dir_itself_not_a_profile", kSeccomp, SeccompPod("containersecurity/"),
     Outcome::kPass},
    {"seccomp_path_leaving_dir_not_managed", kSeccomp, SeccompPod("containersecurity/../web.json"),
     Outcome::kPass},
    {"seccomp_path_normalized_like_kubelet", kSeccomp,
     SeccompPod("containersecurity/./web.json", R"(,"nodeSelector":{"disk":"ssd"})"),
     Outcome::kPass},
    {"seccomp_message_names_profile_as_written",
     kSeccomp,
     SeccompPod("containersecurity//other.json", R"(,"nodeName":"n1")"),
     Outcome::kFail,
     {"a"},
     {"seccomp profile containersecurity//other.json is not installed on node n1"},
     {"n1"}},
    {"seccomp_pod_level_and_init_container",
     kSeccomp,
     R"({"securityContext":{"seccompProfile":{"type":"Localhost",
           "localhostProfile":"containersecurity/web.json"}},
         "initContainers":[{"name":"setup"}],
         "containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"RuntimeDefault"}}}]})",
     Outcome::kFail,
     {"setup"},
     {R"(initContainer "setup": seccomp profile containersecurity/web.json is not installed on 2)"},
     {"n2", "n3"}},
    {"seccomp_nodes_are_the_union_over_containers",
     kSeccomp,
     R"({"containers":[
         {"name":"a","securityContext":{"seccompProfile":{"type":"Localhost",
           "localhostProfile":"containersecurity/web.json"}}},
         {"name":"b","securityContext":{"seccompProfile":{"type":"Localhost",
           "localhostProfile":"containersecurity/other.json"}}}]})",
     Outcome::kFail,
     {"a", "b"},
     {R"(container "a": seccomp profile containersecurity/web.json is not installed on 2 of 3)",
      R"(container "b": seccomp profile containersecurity/other.json is not installed on 3 of 3 )"
      "nodes it may run on: n1, n2, n3"},
     {"n1", "n2", "n3"}},
    {"seccomp_spec_problem_reported_as_before",
     kSeccomp,
     R"({"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Unconfined"}}}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": securityContext.seccompProfile.type is Unconfined)"}},
    {"seccomp_windows_pod_skips",
     kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"os":{"name":"windows"})"),
     Outcome::kSkip,
     {},
     {"Windows"}},
    {"seccomp_offline_judges_the_spec_alone",
     kSeccomp,
     SeccompPod("containersecurity/web.json"),
     Outcome::kPass,
     {},
     {},
     {},
     Facts::kOffline},
    {"seccomp_long_node_list_is_cut_in_the_message",
     kSeccomp,
     SeccompPod("containersecurity/csp-default.json"),
     Outcome::kFail,
     {"a"},
     {"is not installed on 8 of 8 nodes it may run on: m1, m2, m3, m4, m5 and 3 more"},
     {"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"},
     Facts::kUnreported},
    {"seccomp_mistyped_node_selector_is_an_input_error",
     kSeccomp,
     SeccompPod("containersecurity/web.json", R"(,"nodeSelector":{"zone":1})"),
     Outcome::kError,
     {},
     {"spec.nodeSelector.zone: expected a string"}},
    // AppArmor.
    {"apparmor_default_missing_where_no_apparmor",
     kAppArmor,
     AppArmorPod("csp-default"),
     Outcome::kFail,
     {"a"},
     {R"(container "a": AppArmor profile csp-default is not installed on 1 of 3 nodes it may )"
      "run on: n3"},
     {"n3"}},
    {"apparmor_default_on_zone_a", kAppArmor,
     AppArmorPod("csp-default", R"(,"nodeSelector":{"zone":"a"})"), Outcome::kPass},
    {"apparmor_custom_missing",
     kAppArmor,
     AppArmorPod("web-aa"),
     Outcome::kFail,
     {"a"},
     {"AppArmor profile web-aa is not installed on 2 of 3 nodes it may run on: n2, n3"},
     {"n2", "n3"}},
    {"apparmor_custom_on_holder", kAppArmor, AppArmorPod("web-aa", R"(,"nodeName":"n1")"),
     Outcome::kPass},
    {"apparmor_not_managed_by_agent", kAppArmor, AppArmorPod("k8s-app"), Outcome::kPass},
    {"apparmor_pod_level_inherited",
     kAppArmor,
     R"({"securityContext":{"appArmorProfile":{"type":"Localhost","localhostProfile":"web-aa"}},
         "containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": AppArmor profile web-aa is not installed on 2 of 3)"},
     {"n2", "n3"}},
    {"apparmor_annotation_localhost",
     kAppArmor,
     R"({"containers":[{"name":"a"},{"name":"b"}]})",
     Outcome::kFail,
     {"b"},
     {R"(container "b": AppArmor profile web-aa is not installed on 2 of 3)"},
     {"n2", "n3"},
     Facts::kCluster,
     R"({"container.apparmor.security.beta.kubernetes.io/b":"localhost/web-aa"})"},
    {"apparmor_annotation_not_managed",
     kAppArmor,
     R"({"containers":[{"name":"a"}]})",
     Outcome::kPass,
     {},
     {},
     {},
     Facts::kCluster,
     R"({"container.apparmor.security.beta.kubernetes.io/a":"localhost/k8s-app"})"},
    {"apparmor_field_wins_over_annotation",
     kAppArmor,
     R"({"containers":[{"name":"a","securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}}}]})",
     Outcome::kPass,
     {},
     {},
     {},
     Facts::kCluster,
     R"({"container.apparmor.security.beta.kubernetes.io/a":"localhost/web-aa"})"},
    {"apparmor_require_explicit_reported_as_before",
     kAppArmor,
     R"({"containers":[{"name":"a"}]})",
     Outcome::kFail,
     {"a"},
     {R"(container "a": no AppArmor profile is set (requireExplicit))"},
     {},
     Facts::kCluster,
     "",
     R"({"requireExplicit":true})"},
    {"apparmor_offline_judges_the_spec_alone",
     kAppArmor,
     AppArmorPod("web-aa"),
     Outcome::kPass,
     {},
     {},
     {},
     Facts::kOffline},
    {"apparmor_unreported_nodes_lack_the_default",
     kAppArmor,
     AppArmorPod("csp-default", R"(,"nodeName":"m7")"),
     Outcome::kFail,
     {"a"},
     {"AppArmor profile csp-default is not installed on node m7, the one node it may run on"},
     {"m7"},
     Facts::kUnreported},
};

class NodeAwareTest : public testing::TestWithParam<Case> {};

TEST_P(NodeAwareTest, Evaluates) {
  const Case& c = GetParam();
  const NodeFacts* facts = c.facts == Facts::kCluster      ? &ClusterFacts()
                           : c.facts == Facts::kUnreported ? &UnreportedFacts()
                                                           : nullptr;
  if (c.want == Outcome::kError) {
    // A malformed pod spec is an input error of the whole workload, not a rule result.
    const nlohmann::json pod = test::PodDoc(c.pod, c.annotations);  // the workload borrows it
    Result<std::optional<Workload>> w = AsWorkload(pod, "ns");
    ASSERT_TRUE(w && w->has_value());
    Result<Policy> policy = ParsePolicy(test::PolicyDoc());
    ASSERT_TRUE(policy) << policy.error().message;
    auto results = Evaluate(*policy, **w, {.now = test::Now(), .node_facts = facts});
    ASSERT_FALSE(results);
    for (const std::string& part : c.message) {
      EXPECT_NE(results.error().message.find(part), std::string::npos) << results.error().message;
    }
    return;
  }
  std::optional<test::Got> got = test::EvaluateRule(c.rule, {.settings = c.settings,
                                                             .pod_spec = c.pod,
                                                             .annotations = c.annotations,
                                                             .node_facts = facts});
  ASSERT_TRUE(got.has_value());
  test::ExpectResult(*got, c.want, c.containers, c.message);
  EXPECT_EQ(got->nodes, c.nodes) << "message: " << got->message;
}

INSTANTIATE_TEST_SUITE_P(Cases, NodeAwareTest, testing::ValuesIn(kCases),
                         [](auto& info) { return info.param.name; });

TEST(CandidateNodesTest, SortedUniqueAndSelectorOrName) {
  const NodeFacts facts{.nodes = {{.name = "b", .labels = {{"k", "v"}}},
                                  {.name = "a", .labels = {{"k", "v"}}},
                                  {.name = "b", .labels = {{"k", "v"}}},
                                  {.name = "c"}}};
  PodSpec pod;
  EXPECT_EQ(CandidateNodes(facts, pod), (std::vector<std::string_view>{"a", "b", "c"}));
  pod.node_selector = {{"k", "v"}};
  EXPECT_EQ(CandidateNodes(facts, pod), (std::vector<std::string_view>{"a", "b"}));
  pod.node_name = "c";
  EXPECT_EQ(CandidateNodes(facts, pod), (std::vector<std::string_view>{"c"}));
}

TEST(ManagedSeccompProfileTest, OnlyUnderTheAgentsFolder) {
  EXPECT_EQ(ManagedSeccompProfile("containersecurity/x.json"), "containersecurity/x.json");
  EXPECT_EQ(ManagedSeccompProfile("containersecurity//./x.json"), "containersecurity/x.json");
  EXPECT_EQ(ManagedSeccompProfile("containersecurity/a/../x.json"), "containersecurity/x.json");
  EXPECT_EQ(ManagedSeccompProfile("containersecurity/../x.json"), std::nullopt);
  EXPECT_EQ(ManagedSeccompProfile("containersecurityx/x.json"), std::nullopt);
  EXPECT_EQ(ManagedSeccompProfile("operator/x.json"), std::nullopt);
  EXPECT_EQ(ManagedSeccompProfile("/containersecurity/x.json"), std::nullopt);
}

}  // namespace
}  // namespace csp::policy
