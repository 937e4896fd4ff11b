// AdmissionReviews as the API server sends them, and an owner lookup over a list of objects:
// the inputs of the admission tests.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "csp/admission/review.h"
#include "csp/common/json_fields.h"
#include "csp/controllers/owner_resolution.h"
#include "csp/names/names.h"
#include "csp/policy/workload.h"

namespace csp::admission::test {

using json = nlohmann::json;

// The AdmissionReview for `operation` on `object` (its kind, resource, namespace and name
// taken from it); `old_object` for UPDATE.
inline json ReviewDoc(std::string_view operation, const json& object,
                      const json& old_object = nullptr, std::string_view sub_resource = "") {
  const json& source = object.is_object() ? object : old_object;
  const std::string api_version(StringAt(source, "apiVersion"));
  const std::string kind(StringAt(source, "kind"));
  const std::string_view group = policy::ApiGroup(api_version);
  std::string resource;
  for (const names::Resource& r : names::kWorkloads) {
    if (r.kind == kind) resource = std::string(r.plural);
  }
  const json* meta = FieldAt(source, "metadata");
  json request = {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
                  {"kind",
                   {{"group", group},
                    {"version", api_version.substr(group.empty() ? 0 : group.size() + 1)},
                    {"kind", kind}}},
                  {"resource", {{"group", group}, {"version", "v1"}, {"resource", resource}}},
                  {"operation", operation},
                  {"namespace", meta ? StringAt(*meta, "namespace") : ""},
                  {"name", meta ? StringAt(*meta, "name") : ""},
                  {"object", object},
                  {"oldObject", old_object},
                  {"dryRun", false}};
  if (!sub_resource.empty()) request["subResource"] = sub_resource;
  return {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", request}};
}

// ParseReview of ReviewDoc's text; fails the test when it does not parse.
inline AdmissionRequest MustParse(const json& review) {
  Result<AdmissionRequest> r = ParseReview(review.dump());
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : AdmissionRequest{};
}

// A lookup into `cache` (by kind, namespace and name), as the manager's caches answer.
inline controllers::OwnerLookup LookupIn(const std::vector<json>& cache) {
  return [&cache](const controllers::OwnerReference& owner, std::string_view ns) -> const json* {
    for (const json& object : cache) {
      const json* meta = FieldAt(object, "metadata");
      if (meta && StringAt(object, "kind") == owner.kind && StringAt(*meta, "name") == owner.name &&
          StringAt(*meta, "namespace") == ns) {
        return &object;
      }
    }
    return nullptr;
  };
}

// `object` with a controller reference to the workload `owner` (its uid included).
inline json OwnedBy(json object, const json& owner) {
  object["metadata"]["ownerReferences"] = {{{"apiVersion", owner["apiVersion"]},
                                            {"kind", owner["kind"]},
                                            {"name", owner["metadata"]["name"]},
                                            {"uid", owner["metadata"]["uid"]},
                                            {"controller", true}}};
  return object;
}

}  // namespace csp::admission::test
