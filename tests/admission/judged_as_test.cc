// JudgedAs: who a workload is matched and exempted as.
#include "csp/admission/judged_as.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "review_builder.h"
#include "test_util.h"

namespace csp::admission {
namespace {

using controllers::test::GoodPodSpec;
using controllers::test::MakeWorkload;
using json = nlohmann::json;
using test::OwnedBy;

const json kWeb =
    MakeWorkload("Deployment", "web", GoodPodSpec(), json::object(), {{"labels", {{"team", "a"}}}});
const json kWebReplicaSet = OwnedBy(MakeWorkload("ReplicaSet", "web-abc", GoodPodSpec()), kWeb);
const json kPod = OwnedBy(
    MakeWorkload("Pod", "web-abc-x", GoodPodSpec(), json::object(), {{"labels", {{"team", "b"}}}}),
    kWebReplicaSet);

struct Case {
  std::string name;
  json object;
  std::vector<json> cache;
  bool null_lookup = false;
  std::string want_kind, want_name, want_team;  // want_team: "" for no labels
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const Case kCases[] = {
    {"NoOwnerIsItself",
     MakeWorkload("Pod", "bare", GoodPodSpec(), json::object(), {{"labels", {{"team", "c"}}}}),
     {kWeb},
     false,
     "Pod",
     "bare",
     "c"},
    {"ChainToTheTopWithItsLabels", kPod, {kWeb, kWebReplicaSet}, false, "Deployment", "web", "a"},
    {"ReplicaSetToItsDeployment", kWebReplicaSet, {kWeb}, false, "Deployment", "web", "a"},
    {"OwnerMissingIsTheReferenceWithOwnLabels", kPod, {}, false, "ReplicaSet", "web-abc", "b"},
    {"MiddleFoundTopMissing", kPod, {kWebReplicaSet}, false, "Deployment", "web", "b"},
    {"NullLookupFindsNoOwner", kPod, {}, true, "ReplicaSet", "web-abc", "b"},
    {"OwnerUnderAnotherUidIsMissing",
     kPod,
     {[] {
       json successor = kWebReplicaSet;
       successor["metadata"]["uid"] = "another";
       return successor;
     }()},
     false,
     "ReplicaSet",
     "web-abc",
     "b"},
    {"ObjectWithoutNamespaceLooksInTheRequests",
     [] {
       json pod = kPod;
       pod["metadata"].erase("namespace");
       return pod;
     }(),
     {kWeb, kWebReplicaSet},
     false,
     "Deployment",
     "web",
     "a"},
    {"OwnerWithoutLabels",
     kPod,
     {[] {
        json web = kWeb;
        web["metadata"].erase("labels");
        return web;
      }(),
      kWebReplicaSet},
     false,
     "Deployment",
     "web",
     ""},
};

class JudgedAsTest : public testing::TestWithParam<Case> {};

TEST_P(JudgedAsTest, Resolves) {
  const Case& c = GetParam();
  auto workload = policy::AsWorkload(c.object, "default");
  ASSERT_TRUE(workload && *workload);
  const policy::Workload got =
      JudgedAs(**workload, c.null_lookup ? nullptr : test::LookupIn(c.cache));
  EXPECT_EQ(got.ref.kind, c.want_kind);
  EXPECT_EQ(got.ref.name, c.want_name);
  EXPECT_EQ(got.ref.ns, "default");
  EXPECT_EQ(got.pod_spec, (*workload)->pod_spec) << "the pod spec judged is the object's own";
  const policy::Labels labels = policy::LabelsFromJson(got.labels);
  EXPECT_EQ(labels.contains("team") ? labels.at("team") : "", c.want_team);
}

INSTANTIATE_TEST_SUITE_P(Cases, JudgedAsTest, testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::admission
