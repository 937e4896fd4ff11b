#include "csp/common/packed_json.h"

#include <gtest/gtest.h>

namespace csp {
namespace {

using json = nlohmann::json;

TEST(PackedJson, NullPacksToNothing) {
  EXPECT_TRUE(PackedJson().IsNull());
  EXPECT_TRUE(PackedJson(json()).IsNull());
  EXPECT_EQ(PackedJson(json()).ByteSize(), 0u);
  EXPECT_TRUE(PackedJson().Unpack().is_null());
  EXPECT_EQ(PackedJson(), PackedJson(json()));
}

class PackedJsonRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(PackedJsonRoundTrip, UnpacksToTheSameValueOfTheSameTypes) {
  const json value = json::parse(GetParam());
  const PackedJson packed(value);
  EXPECT_FALSE(packed.IsNull());
  const json back = packed.Unpack();
  EXPECT_EQ(back, value);
  EXPECT_EQ(back.dump(), value.dump()) << "number types and member order kept";
}

INSTANTIATE_TEST_SUITE_P(
    Values, PackedJsonRoundTrip,
    ::testing::Values(
        R"({})", R"([])", R"("")", "0", "false", R"({"a":null})",
        R"({"metadata":{"name":"web","labels":{"app":"web","ünïcødé":"✓"}},
            "spec":{"replicas":5,"template":{"spec":{"containers":[{"name":"app",
            "image":"registry.k8s.io/pause:3.10","securityContext":{"runAsUser":0,
            "privileged":true,"capabilities":{"add":["SYS_ADMIN"]}}}]}}}})",
        R"([-1, 18446744073709551615, -9223372036854775808, 1.5, 1e300, 0.1, "x\u0000y"])",
        R"({"spec":{"replicas":"5","volumes":[{"name":"v","emptyDir":{}}],"hostPID":"yes"}})"));

TEST(PackedJson, EqualTreesPackEqual) {
  json a = json::object();
  a["b"] = 1;
  a["a"] = {{"y", true}, {"x", "s"}};
  json b = json::object();
  b["a"] = {{"x", "s"}, {"y", true}};
  b["b"] = 1;
  EXPECT_EQ(PackedJson(a), PackedJson(b));
}

TEST(PackedJson, DifferentValuesPackDifferent) {
  const json base = {{"spec", {{"replicas", 5}}}};
  EXPECT_NE(PackedJson(base), PackedJson(json{{"spec", {{"replicas", 4}}}}));
  EXPECT_NE(PackedJson(base), PackedJson(json{{"spec", {{"replicas", "5"}}}}));
  EXPECT_NE(PackedJson(base), PackedJson());
}

// The point of it: a Deployment as the caches keep it is several times smaller packed than
// nlohmann's tree (a heap node per member), and smaller than its own JSON text.
TEST(PackedJson, SmallerThanTheText) {
  const json value = json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"web","namespace":"shop","uid":"9d3c91e2-6848-4dd2-bcfc-42266eb60196",
      "labels":{"app":"web"},"generation":1},"spec":{"replicas":5,"selector":{"matchLabels":
      {"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{
      "name":"app","image":"registry.k8s.io/pause:3.10","securityContext":{
      "allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}],"securityContext":{
      "runAsNonRoot":true,"runAsUser":1000,"seccompProfile":{"type":"RuntimeDefault"}}}}}})");
  EXPECT_LT(PackedJson(value).ByteSize(), value.dump().size());
}

}  // namespace
}  // namespace csp
