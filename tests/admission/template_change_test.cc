// PodTemplateChanged: what counts as a change of the pod template on UPDATE.
#include "csp/admission/template_change.h"

#include <gtest/gtest.h>

#include <string>

#include "csp/names/names.h"
#include "test_util.h"

namespace csp::admission {
namespace {

using controllers::test::GoodPodSpec;
using controllers::test::MakeWorkload;
using json = nlohmann::json;

const std::string kQuarantine(names::kQuarantineKey);
const std::string kAppArmor = std::string(names::kAppArmorAnnotationPrefix) + "app";

struct Case {
  std::string name;
  json old_spec_extra;  // merged into the DaemonSet's spec (template included)
  json new_spec_extra;
  bool want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

json Template(json pod_spec_extra, json annotations = nullptr) {
  json t = {{"template", {{"spec", std::move(pod_spec_extra)}}}};
  if (!annotations.is_null()) t["template"]["metadata"]["annotations"] = std::move(annotations);
  return t;
}

const Case kCases[] = {
    {"Nothing", json::object(), json::object(), false},
    {"ReplicasAndStrategy",
     json::object(),
     {{"replicas", 0}, {"updateStrategy", {{"type", "OnDelete"}}}},
     false},
    {"Image", json::object(), Template({{"containers", {{{"name", "app"}, {"image", "x:2"}}}}}),
     true},
    {"FieldNoControlReads", json::object(), Template({{"terminationGracePeriodSeconds", 5}}), true},
    {"NullFieldIsAbsent", json::object(), Template({{"hostNetwork", nullptr}}), false},
    {"QuarantineAdded", json::object(), Template({{"nodeSelector", {{kQuarantine, "true"}}}}),
     false},
    {"QuarantineRemovedLeavingEmpty", Template({{"nodeSelector", {{kQuarantine, "true"}}}}),
     Template({{"nodeSelector", json::object()}}), false},
    {"QuarantineAddedBesideOtherKeys", Template({{"nodeSelector", {{"disk", "ssd"}}}}),
     Template({{"nodeSelector", {{"disk", "ssd"}, {kQuarantine, "true"}}}}), false},
    {"OtherNodeSelectorKeyChanged", Template({{"nodeSelector", {{"disk", "ssd"}}}}),
     Template({{"nodeSelector", {{"disk", "hdd"}, {kQuarantine, "true"}}}}), true},
    {"NodeSelectorAdded", json::object(), Template({{"nodeSelector", {{"disk", "ssd"}}}}), true},
    {"AppArmorAnnotationAdded", json::object(),
     Template(json::object(), {{kAppArmor, "unconfined"}}), true},
    {"AppArmorAnnotationChanged", Template(json::object(), {{kAppArmor, "runtime/default"}}),
     Template(json::object(), {{kAppArmor, "unconfined"}}), true},
    {"AppArmorAnnotationRemoved", Template(json::object(), {{kAppArmor, "unconfined"}}),
     Template(json::object(), {{"other", "x"}}), true},
    {"OtherTemplateAnnotation", json::object(),
     Template(json::object(), {{"kubectl.kubernetes.io/restartedAt", "2026-03-01T12:00:00Z"}}),
     false},
};

class TemplateChangeTest : public testing::TestWithParam<Case> {};

TEST_P(TemplateChangeTest, Compares) {
  const json old_object =
      MakeWorkload("DaemonSet", "agent", GoodPodSpec(), GetParam().old_spec_extra);
  const json new_object =
      MakeWorkload("DaemonSet", "agent", GoodPodSpec(), GetParam().new_spec_extra);
  auto old_workload = policy::AsWorkload(old_object, "default");
  auto new_workload = policy::AsWorkload(new_object, "default");
  ASSERT_TRUE(old_workload && *old_workload && new_workload && *new_workload);
  EXPECT_EQ(PodTemplateChanged(**old_workload, **new_workload), GetParam().want);
  EXPECT_EQ(PodTemplateChanged(**new_workload, **old_workload), GetParam().want) << "reversed";
}

INSTANTIATE_TEST_SUITE_P(Cases, TemplateChangeTest, testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::admission
