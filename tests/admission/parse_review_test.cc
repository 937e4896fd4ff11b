// ParseReview: what the API server sends is read field by field; anything else is an
// InvalidArgument error naming what is wrong (the server answers it with 400), never a crash.
#include <gtest/gtest.h>

#include <string>

#include "csp/admission/review.h"
#include "review_builder.h"
#include "test_util.h"

namespace csp::admission {
namespace {

using controllers::test::BadPodSpec;
using controllers::test::MakeWorkload;
using json = nlohmann::json;
using test::ReviewDoc;

json Review() { return ReviewDoc("CREATE", MakeWorkload("Deployment", "web", BadPodSpec())); }

// Review() with `edit` applied.
template <typename Fn>
std::string Edited(Fn edit) {
  json review = Review();
  edit(review);
  return review.dump();
}

struct ErrorCase {
  std::string name;
  std::string body;
  std::string want;  // the whole message
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

const ErrorCase kErrors[] = {
    {"Empty", "", "AdmissionReview: not JSON (syntax error at byte 1)"},
    {"Truncated", R"({"apiVersion": "admission.k8s.io/v1")",
     "AdmissionReview: not JSON (syntax error at byte 37)"},
    {"NotUtf8", "{\"apiVersion\": \"\xff\"}",
     "AdmissionReview: not JSON (syntax error at byte 17)"},
    {"TooDeep", std::string(kMaxReviewDepth + 1, '['),
     "AdmissionReview: nested deeper than 200 levels"},
    {"NotAnObject", "[]", "AdmissionReview: expected an object, got array"},
    {"NoApiVersion", Edited([](json& r) { r.erase("apiVersion"); }), "apiVersion: missing"},
    {"ApiVersionNotAString", Edited([](json& r) { r["apiVersion"] = 1; }),
     "apiVersion: expected a string, got integer"},
    {"ApiVersionV1beta1", Edited([](json& r) { r["apiVersion"] = "admission.k8s.io/v1beta1"; }),
     R"(apiVersion: "admission.k8s.io/v1beta1" is not admission.k8s.io/v1)"},
    {"ApiVersionLongIsCut", Edited([](json& r) { r["apiVersion"] = std::string(100, 'x'); }),
     "apiVersion: \"" + std::string(64, 'x') + "\"... is not admission.k8s.io/v1"},
    {"WrongKind", Edited([](json& r) { r["kind"] = "Pod"; }),
     R"(kind: "Pod" is not AdmissionReview)"},
    {"NoRequest", Edited([](json& r) { r.erase("request"); }), "request: missing"},
    {"NullRequest", Edited([](json& r) { r["request"] = nullptr; }), "request: missing"},
    {"RequestNotAnObject", Edited([](json& r) { r["request"] = "x"; }),
     "request: expected an object, got string"},
    {"NoUid", Edited([](json& r) { r["request"].erase("uid"); }), "request.uid: missing"},
    {"EmptyUid", Edited([](json& r) { r["request"]["uid"] = ""; }), "request.uid: empty"},
    {"UidNotAString", Edited([](json& r) { r["request"]["uid"] = 5; }),
     "request.uid: expected a string, got integer"},
    {"NoKind", Edited([](json& r) { r["request"].erase("kind"); }), "request.kind: missing"},
    {"KindNotAnObject", Edited([](json& r) { r["request"]["kind"] = "Pod"; }),
     "request.kind: expected an object, got string"},
    {"KindGroupNotAString", Edited([](json& r) { r["request"]["kind"]["group"] = true; }),
     "request.kind.group: expected a string, got boolean"},
    {"KindKindMissing", Edited([](json& r) { r["request"]["kind"].erase("kind"); }),
     "request.kind.kind: missing"},
    {"ResourceNotAnObject", Edited([](json& r) { r["request"]["resource"] = "pods"; }),
     "request.resource: expected an object, got string"},
    {"SubResourceNotAString", Edited([](json& r) { r["request"]["subResource"] = 1; }),
     "request.subResource: expected a string, got integer"},
    {"NoOperation", Edited([](json& r) { r["request"].erase("operation"); }),
     "request.operation: missing"},
    {"NamespaceNotAString", Edited([](json& r) { r["request"]["namespace"] = json::array(); }),
     "request.namespace: expected a string, got array"},
    {"DryRunNotABoolean", Edited([](json& r) { r["request"]["dryRun"] = "yes"; }),
     "request.dryRun: expected a boolean, got string"},
    {"CreateWithoutObject", Edited([](json& r) { r["request"].erase("object"); }),
     "request.object: missing (required for CREATE)"},
    {"CreateWithNullObject", Edited([](json& r) { r["request"]["object"] = nullptr; }),
     "request.object: missing (required for CREATE)"},
    {"CreateWithStringObject", Edited([](json& r) { r["request"]["object"] = "x"; }),
     "request.object: expected an object, got string"},
    {"UpdateWithoutOldObject", Edited([](json& r) { r["request"]["operation"] = "UPDATE"; }),
     "request.oldObject: missing (required for UPDATE)"},
};

class ParseReviewErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ParseReviewErrorTest, NamesWhatIsWrong) {
  Result<AdmissionRequest> r = ParseReview(GetParam().body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  EXPECT_EQ(r.error().message, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Cases, ParseReviewErrorTest, testing::ValuesIn(kErrors),
                         [](const auto& info) { return info.param.name; });

TEST(ParseReviewTest, ReadsEveryField) {
  const json pod = MakeWorkload("Pod", "api", BadPodSpec());
  json review = ReviewDoc("UPDATE", pod, pod, "ephemeralcontainers");
  review["request"]["dryRun"] = true;
  review["request"]["userInfo"] = {{"username", "admin"}};  // read by nothing
  Result<AdmissionRequest> r = ParseReview(review.dump());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r->group, "");
  EXPECT_EQ(r->version, "v1");
  EXPECT_EQ(r->kind, "Pod");
  EXPECT_EQ(r->resource, "pods");
  EXPECT_EQ(r->sub_resource, "ephemeralcontainers");
  EXPECT_EQ(r->operation, "UPDATE");
  EXPECT_EQ(r->ns, "default");
  EXPECT_EQ(r->name, "api");
  EXPECT_EQ(r->object, pod);
  EXPECT_EQ(r->old_object, pod);
  EXPECT_TRUE(r->dry_run);
}

TEST(ParseReviewTest, DeleteAndConnectNeedNoObject) {
  for (const char* operation : {"DELETE", "CONNECT"}) {
    json review = Review();
    review["request"]["operation"] = operation;
    review["request"].erase("object");
    Result<AdmissionRequest> r = ParseReview(review.dump());
    ASSERT_TRUE(r) << operation << ": " << r.error().message;
    EXPECT_TRUE(r->object.is_null());
    EXPECT_TRUE(r->old_object.is_null());
  }
}

TEST(ParseReviewTest, ObjectWithoutApiVersionAndKindTakesThemFromTheRequest) {
  json review = Review();
  review["request"]["object"].erase("apiVersion");
  review["request"]["object"].erase("kind");
  Result<AdmissionRequest> r = ParseReview(review.dump());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->object["apiVersion"], "apps/v1");
  EXPECT_EQ(r->object["kind"], "Deployment");
}

TEST(ParseReviewTest, ObjectsOwnApiVersionAndKindAreKept) {
  json review = Review();
  review["request"]["object"]["kind"] = "ConfigMap";
  Result<AdmissionRequest> r = ParseReview(review.dump());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->object["kind"], "ConfigMap");
}

// Hostile sizes: 10 MB of one string, and of nesting (refused before parsing).
TEST(ParseReviewTest, TenMegabyteBodies) {
  json review = Review();
  review["request"]["object"]["metadata"]["annotations"]["big"] = std::string(10 << 20, 'a');
  Result<AdmissionRequest> big = ParseReview(review.dump());
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(big->object["metadata"]["annotations"]["big"].get_ref<const std::string&>().size(),
            std::size_t{10} << 20);

  Result<AdmissionRequest> deep = ParseReview(std::string(10 << 20, '{'));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message, "AdmissionReview: nested deeper than 200 levels");
}

TEST(ParseReviewTest, NestingUpToTheLimitParses) {
  json review = Review();
  json deep = json::array();
  for (std::size_t i = 0; i < kMaxReviewDepth - 4; ++i) deep = json::array({deep});
  // The review is depth 1, its request 2, the object 3: `deep` takes depths 4 to the limit.
  review["request"]["object"]["deep"] = deep;
  EXPECT_TRUE(ParseReview(review.dump()));
  review["request"]["object"]["deep"] = json::array({deep});
  EXPECT_FALSE(ParseReview(review.dump()));
}

}  // namespace
}  // namespace csp::admission
