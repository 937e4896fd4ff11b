// The cache transforms: what a cached workload and report keep.
#include "csp/manager/caches.h"

#include <gtest/gtest.h>

#include "csp/manager/custom_kinds.h"
#include "csp/manager/event_recorder.h"
#include "csp/names/names.h"
#include "csp/report/policy_report.h"

namespace csp::manager {
namespace {

using json = nlohmann::json;

json Pod(json owner_references) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", "web-1"},
            {"namespace", "shop"},
            {"uid", "u1"},
            {"resourceVersion", "42"},
            {"labels", {{"app", "web"}}},
            {"ownerReferences", owner_references}}},
          {"spec",
           {{"containers", {{{"name", "c"}, {"image", "nginx"}}}},
            {"nodeName", "n1"},
            {"restartPolicy", "Always"}}},
          {"status", {{"phase", "Running"}}}};
}

TEST(CacheWorkloadTest, DropsResourceVersionAndStatus) {
  const json cached = CacheWorkload(Pod(json::array()));
  EXPECT_FALSE(cached["metadata"].contains("resourceVersion"));
  EXPECT_FALSE(cached.contains("status"));
  EXPECT_EQ(cached["spec"]["containers"][0]["image"], "nginx");
  EXPECT_FALSE(IsOwnedByWorkload(cached));
  // Two versions that differ only in what we do not read compare equal.
  json newer = Pod(json::array());
  newer["metadata"]["resourceVersion"] = "43";
  newer["status"]["phase"] = "Succeeded";
  EXPECT_EQ(CacheWorkload(newer), cached);
}

// A Deployment's ReplicaSet keeps the metadata that admission follows from a new Pod up to the
// Deployment (controllers::ResolveOwner), and nothing of its spec.
TEST(CacheWorkloadTest, OwnedReplicaSetsKeepTheirOwnerChain) {
  const json deployment = {{"apiVersion", "apps/v1"},
                           {"kind", "Deployment"},
                           {"name", "web"},
                           {"uid", "d1"},
                           {"controller", true}};
  json rs = Pod(json::array({deployment}));
  rs["apiVersion"] = "apps/v1";
  rs["kind"] = "ReplicaSet";
  rs["spec"] = {{"replicas", 2}, {"template", {{"spec", Pod(json::array())["spec"]}}}};
  const CachedWorkload value = CacheWorkloadValue(rs, "apps/v1", "ReplicaSet");
  EXPECT_TRUE(value.owned);
  EXPECT_EQ(value.object.Unpack(), json::parse(R"({"metadata":{"name":"web-1","namespace":"shop",
      "uid":"u1","ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web",
      "uid":"d1","controller":true}]}})"));
}

TEST(CacheWorkloadTest, ObjectsOwnedByAWorkloadKeepOnlyThatFact) {
  const json owner = {{"apiVersion", "apps/v1"},
                      {"kind", "ReplicaSet"},
                      {"name", "web-abc"},
                      {"uid", "rs1"},
                      {"controller", true}};
  EXPECT_TRUE(IsOwnedByWorkload(Pod(json::array({owner}))));
  const CachedWorkload value = CacheWorkloadValue(Pod(json::array({owner})), "v1", "Pod");
  EXPECT_TRUE(value.owned);
  EXPECT_TRUE(value.object.IsNull());
  EXPECT_EQ(value.resource_version, 42u);
  // Its spec changing is nothing to us; its owner changing to none is (a bare Pod now).
  json changed = Pod(json::array({owner}));
  changed["spec"]["containers"][0]["image"] = "evil";
  EXPECT_TRUE(CacheWorkloadValue(changed, "v1", "Pod") == value);
  const CachedWorkload orphaned = CacheWorkloadValue(Pod(json::array()), "v1", "Pod");
  EXPECT_FALSE(orphaned.owned);
  EXPECT_FALSE(orphaned == value);
  // A reference that is not the controller does not make it owned.
  json not_controller = owner;
  not_controller["controller"] = false;
  EXPECT_FALSE(CacheWorkloadValue(Pod(json::array({not_controller})), "v1", "Pod").owned);
}

TEST(CacheWorkloadTest, AControllerThatIsNotAWorkloadKeepsTheSpec) {
  const json owner = {{"apiVersion", "example.com/v1"},
                      {"kind", "Database"},
                      {"name", "db"},
                      {"uid", "x"},
                      {"controller", true}};
  const json cached = CacheWorkload(Pod(json::array({owner})));
  EXPECT_FALSE(IsOwnedByWorkload(cached));
  EXPECT_TRUE(cached.contains("spec"));
  EXPECT_FALSE(CacheWorkloadValue(Pod(json::array({owner})), "v1", "Pod").owned);
}

TEST(CacheWorkloadTest, ValueKeepsTheVersionAsideAndFillsInListItemsKind) {
  json item = Pod(json::array());
  item.erase("kind");
  item.erase("apiVersion");  // as LIST items come
  const CachedWorkload value = CacheWorkloadValue(item, "v1", "Pod");
  EXPECT_EQ(value.resource_version, 42u);
  const json object = value.object.Unpack();
  EXPECT_EQ(object["kind"], "Pod");
  EXPECT_EQ(object["apiVersion"], "v1");
  EXPECT_EQ(object, CacheWorkload(Pod(json::array())));
  json newer = Pod(json::array());
  newer["metadata"]["resourceVersion"] = "43";
  const CachedWorkload next = CacheWorkloadValue(newer, "v1", "Pod");
  EXPECT_EQ(next.resource_version, 43u);
  EXPECT_TRUE(next == value);  // equal where it matters: nothing we read changed
}

TEST(CacheWorkloadTest, ObjectResourceVersionIsZeroWhenAbsentOrNotAString) {
  EXPECT_EQ(ObjectResourceVersion(Pod(json::array())), 42u);
  EXPECT_EQ(ObjectResourceVersion(json::object()), 0u);
  EXPECT_EQ(ObjectResourceVersion(json::array()), 0u);
  EXPECT_EQ(ObjectResourceVersion({{"metadata", {{"resourceVersion", 7}}}}), 0u);
  EXPECT_EQ(ObjectResourceVersion({{"metadata", "x"}}), 0u);
}

// LIST items come without kind and apiVersion; watch events carry them. Both must cache the
// same value, owned or not.
TEST(CacheWorkloadTest, ListItemsCacheTheSameValueAsWatchedObjects) {
  for (const json& owners : {json::array(), json::array({{{"apiVersion", "apps/v1"},
                                                          {"kind", "ReplicaSet"},
                                                          {"name", "r"},
                                                          {"uid", "u"},
                                                          {"controller", true}}})}) {
    const json watched = Pod(owners);
    json listed = watched;
    listed.erase("kind");
    listed.erase("apiVersion");
    const CachedWorkload from_list = CacheWorkloadValue(listed, "v1", "Pod");
    const CachedWorkload from_watch = CacheWorkloadValue(watched, "v1", "Pod");
    EXPECT_EQ(from_list.object, from_watch.object);
    EXPECT_EQ(from_list.owned, !owners.empty());
    EXPECT_EQ(from_list.owned, from_watch.owned);
    EXPECT_EQ(from_list.resource_version, 42u);
    if (!from_list.owned) {
      EXPECT_EQ(from_list.object.Unpack()["kind"], "Pod");
    }
  }
}

TEST(CacheReportTest, ReadsOursAndIgnoresOthers) {
  report::PolicyReport r{.name = "csp-base", .ns = "shop", .policy = "base"};
  report::Entry e{.resource = {.api_version = "apps/v1",
                               .kind = "Deployment",
                               .ns = "shop",
                               .name = "web",
                               .uid = "d1"},
                  .rule = "disallow-privileged",
                  .outcome = policy::Outcome::kFail,
                  .severity = "critical",
                  .message = "privileged",
                  .timestamp = {.seconds = 100}};
  r.results.push_back(e);
  r.summary.fail = 1;
  json object = report::ToJson(r, names::ReportApi::kWgPolicyK8s);
  object["metadata"]["resourceVersion"] = "7";
  const CachedReport cached = CacheReport(object);
  EXPECT_TRUE(cached.summary.managed);
  EXPECT_EQ(cached.policy, "base");
  EXPECT_EQ(cached.summary.resource_version, "7");
  ASSERT_EQ(cached.previous.size(), 1u);
  EXPECT_EQ(cached.previous.begin()->second.timestamp.seconds, 100);

  object["metadata"]["labels"].erase(std::string(names::kManagedByLabel));
  const CachedReport foreign = CacheReport(object);
  EXPECT_FALSE(foreign.summary.managed);
  EXPECT_TRUE(foreign.previous.empty());
}

TEST(EventObjectTest, NamesTheWorkloadAndTheChange) {
  const policy::WorkloadRef ref{
      .api_version = "apps/v1", .kind = "Deployment", .ns = "shop", .name = "web", .uid = "d1"};
  const controllers::Event event{
      .type = "Warning", .reason = "ScaledDown", .message = "scaled down from 3 replicas"};
  const auto at = std::chrono::sys_days(std::chrono::year(2026) / 11 / 29) + std::chrono::hours(7);
  const json e = EventObject(ref, event, "op-1", at, "web.1");
  EXPECT_EQ(e["metadata"]["name"], "web.1");
  EXPECT_EQ(e["metadata"]["namespace"], "shop");
  EXPECT_EQ(e["involvedObject"]["kind"], "Deployment");
  EXPECT_EQ(e["involvedObject"]["uid"], "d1");
  EXPECT_EQ(e["reason"], "ScaledDown");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["source"]["component"], "csp-operator");
  EXPECT_EQ(e["reportingInstance"], "op-1");
  EXPECT_EQ(e["firstTimestamp"], "2026-11-29T07:00:00Z");
}

TEST(CacheCustomWorkloadTest, KeepsThePodTemplatesWhereverTheyAreAndDropsWhatNothingReads) {
  const json job = {
      {"metadata",
       {{"name", "train"},
        {"namespace", "ml"},
        {"resourceVersion", "42"},
        {"managedFields", json::array({{{"manager", "kubectl"}}})},
        {"annotations",
         {{"kubectl.kubernetes.io/last-applied-configuration", "{...}"}, {"team", "ml"}}}}},
      {"spec", {{"pytorchReplicaSpecs", {{"Worker", {{"template", {{"spec", {{"x", 1}}}}}}}}}}},
      {"status", {{"conditions", json::array()}}}};
  const CachedWorkload value = CacheCustomWorkload(job, "kubeflow.org/v1", "PyTorchJob");
  EXPECT_EQ(value.resource_version, 42u);
  EXPECT_FALSE(value.owned);
  const json object = value.object.Unpack();
  EXPECT_EQ(object["apiVersion"], "kubeflow.org/v1") << "LIST items come untyped";
  EXPECT_EQ(object["kind"], "PyTorchJob");
  EXPECT_EQ(object["spec"], job["spec"]);
  EXPECT_FALSE(object.contains("status"));
  EXPECT_FALSE(object["metadata"].contains("managedFields"));
  EXPECT_FALSE(object["metadata"].contains("resourceVersion"));
  EXPECT_EQ(object["metadata"]["annotations"], (json{{"team", "ml"}}));

  json status_only = job;
  status_only["metadata"]["resourceVersion"] = "43";
  status_only["status"]["conditions"].push_back({{"type", "Running"}});
  EXPECT_TRUE(CacheCustomWorkload(status_only, "kubeflow.org/v1", "PyTorchJob") == value)
      << "a status update changes nothing the operator reads";
}

}  // namespace
}  // namespace csp::manager
