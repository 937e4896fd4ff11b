// Who other than the operator owns a field, from managedFields.
#include "csp/controllers/field_owners.h"

#include <gtest/gtest.h>

namespace csp::controllers {
namespace {

using json = nlohmann::json;

json Entry(std::string manager, std::string time, json fields) {
  return {{"manager", std::move(manager)}, {"operation", "Apply"},
          {"apiVersion", "apps/v1"},       {"time", std::move(time)},
          {"fieldsType", "FieldsV1"},      {"fieldsV1", std::move(fields)}};
}

const json kReplicas = {{"f:spec", {{"f:replicas", json::object()}}}};

struct OwnerCase {
  std::string name;
  json managed;
  std::optional<std::string> want;
};

std::vector<OwnerCase> OwnerCases() {
  return {
      {"none", json(), std::nullopt},
      {"ours_only",
       json::array({Entry(std::string(kOperatorFieldManager), "2026-03-01T12:00:00Z", kReplicas)}),
       std::nullopt},
      {"gitops", json::array({Entry("argocd-controller", "2026-03-01T12:00:00Z", kReplicas)}),
       "argocd-controller"},
      {"newest_of_two",
       json::array({Entry("kubectl", "2026-03-01T12:00:05Z", kReplicas),
                    Entry("argocd-controller", "2026-03-01T12:00:00Z", kReplicas)}),
       "kubectl"},
      {"other_field_only",
       json::array({Entry("argocd-controller", "2026-03-01T12:00:00Z",
                          {{"f:spec", {{"f:suspend", json::object()}}}})}),
       std::nullopt},
      {"mistyped_entries_skipped", json::array({3, {{"manager", 4}}}), std::nullopt},
  };
}

class OtherOwnerOfTest : public testing::TestWithParam<OwnerCase> {};

TEST_P(OtherOwnerOfTest, Finds) {
  json object = {{"metadata", {{"name", "web"}}}};
  if (!GetParam().managed.is_null()) object["metadata"]["managedFields"] = GetParam().managed;
  EXPECT_EQ(OtherOwnerOf(object, {"spec", "replicas"}), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Cases, OtherOwnerOfTest, testing::ValuesIn(OwnerCases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::controllers
