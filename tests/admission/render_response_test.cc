// RenderResponse: the AdmissionReview shape the API server reads back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "csp/admission/response.h"

namespace csp::admission {
namespace {

using json = nlohmann::json;

TEST(RenderResponseTest, Allowed) {
  EXPECT_EQ(json::parse(RenderResponse("u-1", Verdict{})),
            json::parse(R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                            "response": {"uid": "u-1", "allowed": true}})"));
}

TEST(RenderResponseTest, AllowedWithWarnings) {
  EXPECT_EQ(json::parse(RenderResponse("u-1", {.warnings = {"w1", "w2"}})),
            json::parse(R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                            "response": {"uid": "u-1", "allowed": true,
                                         "warnings": ["w1", "w2"]}})"));
}

TEST(RenderResponseTest, Forbidden) {
  const Verdict refused{.allowed = false, .code = 403, .message = "m", .warnings = {"w"}};
  EXPECT_EQ(json::parse(RenderResponse("u-1", refused)),
            json::parse(R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                            "response": {"uid": "u-1", "allowed": false,
                                         "status": {"code": 403, "message": "m",
                                                    "reason": "Forbidden"},
                                         "warnings": ["w"]}})"));
}

TEST(RenderResponseTest, BadRequest) {
  const Verdict refused{.allowed = false, .code = 400, .message = "m"};
  EXPECT_EQ(json::parse(RenderResponse("u-1", refused))["response"]["status"],
            json::parse(R"({"code": 400, "message": "m", "reason": "BadRequest"})"));
}

TEST(RenderResponseTest, OtherCodesHaveNoReason) {
  const Verdict refused{.allowed = false, .code = 500, .message = "m"};
  EXPECT_EQ(json::parse(RenderResponse("u-1", refused))["response"]["status"],
            json::parse(R"({"code": 500, "message": "m"})"));
}

TEST(RenderResponseTest, BytesThatAreNotUtf8AreReplaced) {
  const Verdict refused{.allowed = false, .code = 403, .message = "a\xff"};
  const json response = json::parse(RenderResponse("u\xfe", refused))["response"];
  EXPECT_EQ(response["uid"], "u\xEF\xBF\xBD");
  EXPECT_EQ(response["status"]["message"], "a\xEF\xBF\xBD");
}

}  // namespace
}  // namespace csp::admission
