// Owner resolution: the top-level workload a Pod (or a ReplicaSet/Job) is reported on.
#include "csp/controllers/owner_resolution.h"

#include <gtest/gtest.h>

#include <map>

namespace csp::controllers {
namespace {

using json = nlohmann::json;

json Ref(std::string api_version, std::string kind, std::string name, bool controller = true) {
  return {{"apiVersion", api_version},
          {"kind", kind},
          {"name", name},
          {"uid", "uid-" + name},
          {"controller", controller}};
}

json Object(std::string api_version, std::string kind, std::string name,
            json owners = json::array()) {
  return {{"apiVersion", api_version},
          {"kind", kind},
          {"metadata",
           {{"name", name},
            {"namespace", "ns"},
            {"uid", "uid-" + name},
            {"ownerReferences", std::move(owners)}}}};
}

// The cache the cases look owners up in.
const std::map<std::string, json>& Cache() {
  static const auto* cache = [] {
    auto* c = new std::map<std::string, json>{
        {"ReplicaSet/web-7d9",
         Object("apps/v1", "ReplicaSet", "web-7d9", {Ref("apps/v1", "Deployment", "web")})},
        {"ReplicaSet/lonely", Object("apps/v1", "ReplicaSet", "lonely")},
        {"ReplicaSet/rollout-1", Object("apps/v1", "ReplicaSet", "rollout-1",
                                        {Ref("argoproj.io/v1alpha1", "Rollout", "r")})},
        {"ReplicaSet/reused", Object("apps/v1", "ReplicaSet", "reused")},
        {"Job/nightly-281",
         Object("batch/v1", "Job", "nightly-281", {Ref("batch/v1", "CronJob", "nightly")})},
        {"ReplicaSet/loop-a",
         Object("apps/v1", "ReplicaSet", "loop-a", {Ref("apps/v1", "ReplicaSet", "loop-b")})},
        {"ReplicaSet/loop-b",
         Object("apps/v1", "ReplicaSet", "loop-b", {Ref("apps/v1", "ReplicaSet", "loop-a")})},
        {"Deployment/web", Object("apps/v1", "Deployment", "web")},
        {"CronJob/nightly", Object("batch/v1", "CronJob", "nightly")},
        {"StatefulSet/db", Object("apps/v1", "StatefulSet", "db")},
        {"DaemonSet/agent", Object("apps/v1", "DaemonSet", "agent")},
        {"ReplicationController/old", Object("v1", "ReplicationController", "old")},
    };
    // Same name as the Pod's owner reference, another uid: a successor object.
    c->at("ReplicaSet/reused")["metadata"]["uid"] = "uid-of-a-successor";
    return c;
  }();
  return *cache;
}

const json* Lookup(const OwnerReference& ref, std::string_view ns) {
  EXPECT_EQ(ns, "ns");
  auto it = Cache().find(ref.kind + "/" + ref.name);
  return it == Cache().end() ? nullptr : &it->second;
}

struct Case {
  std::string name;
  json object;
  std::string want_top;  // "Kind/name"
  bool want_self;
  bool want_missing;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class OwnerResolutionTest : public testing::TestWithParam<Case> {};

TEST_P(OwnerResolutionTest, Resolves) {
  const Case& c = GetParam();
  Resolution r = ResolveOwner(c.object, &Lookup);
  EXPECT_EQ(r.top.kind + "/" + r.top.name, c.want_top);
  EXPECT_EQ(r.top.ns, "ns");
  EXPECT_EQ(r.is_self, c.want_self);
  EXPECT_EQ(r.owner_missing, c.want_missing);
  EXPECT_EQ(r.top.uid, "uid-" + r.top.name);
}

json Pod(json owners) { return Object("v1", "Pod", "p", std::move(owners)); }

INSTANTIATE_TEST_SUITE_P(
    Cases, OwnerResolutionTest,
    testing::ValuesIn(std::vector<Case>{
        {"bare_pod", Pod(json::array()), "Pod/p", true, false},
        {"pod_without_owner_references",
         json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "uid-p"}}}},
         "Pod/p", true, false},
        {"pod_replicaset_deployment", Pod({Ref("apps/v1", "ReplicaSet", "web-7d9")}),
         "Deployment/web", false, false},
        {"pod_job_cronjob", Pod({Ref("batch/v1", "Job", "nightly-281")}), "CronJob/nightly", false,
         false},
        {"pod_statefulset", Pod({Ref("apps/v1", "StatefulSet", "db")}), "StatefulSet/db", false,
         false},
        {"pod_daemonset", Pod({Ref("apps/v1", "DaemonSet", "agent")}), "DaemonSet/agent", false,
         false},
        {"pod_replication_controller", Pod({Ref("v1", "ReplicationController", "old")}),
         "ReplicationController/old", false, false},
        {"pod_replicaset_without_owner", Pod({Ref("apps/v1", "ReplicaSet", "lonely")}),
         "ReplicaSet/lonely", false, false},
        {"non_controller_reference_ignored",
         Pod({Ref("apps/v1", "ReplicaSet", "web-7d9", /*controller=*/false)}), "Pod/p", true,
         false},
        {"controller_among_several_references",
         Pod({Ref("v1", "ConfigMap", "cm", false), Ref("apps/v1", "StatefulSet", "db")}),
         "StatefulSet/db", false, false},
        {"replicaset_owned_by_deployment_not_reported",
         Object("apps/v1", "ReplicaSet", "web-7d9", {Ref("apps/v1", "Deployment", "web")}),
         "Deployment/web", false, false},
        {"job_owned_by_cronjob_not_reported",
         Object("batch/v1", "Job", "nightly-281", {Ref("batch/v1", "CronJob", "nightly")}),
         "CronJob/nightly", false, false},
        {"deployment_is_top", Object("apps/v1", "Deployment", "web"), "Deployment/web", true,
         false},
        {"owner_not_in_cache", Pod({Ref("apps/v1", "ReplicaSet", "gone")}), "ReplicaSet/gone",
         false, true},
        {"owner_uid_differs_is_missing", Pod({Ref("apps/v1", "ReplicaSet", "reused")}),
         "ReplicaSet/reused", false, true},
        {"pod_owned_by_custom_resource_reported_on_itself",
         Pod({Ref("example.com/v1", "Database", "db1")}), "Pod/p", true, false},
        {"replicaset_owned_by_custom_resource_is_top",
         Pod({Ref("apps/v1", "ReplicaSet", "rollout-1")}), "ReplicaSet/rollout-1", false, false},
        {"reference_cycle_terminates", Pod({Ref("apps/v1", "ReplicaSet", "loop-a")}),
         "ReplicaSet/loop-b", false, false},
    }),
    [](const auto& info) { return info.param.name; });

TEST(ControllerRefTest, MalformedEntriesIgnored) {
  json pod = Pod({"junk",
                  {{"controller", "yes"}, {"kind", "ReplicaSet"}, {"name", "x"}},
                  {{"controller", true}, {"kind", "ReplicaSet"}}});
  EXPECT_FALSE(ControllerRef(pod));
  EXPECT_FALSE(ControllerRef(json("not an object")));
}

}  // namespace
}  // namespace csp::controllers
