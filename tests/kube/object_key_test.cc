// ObjectKey and SplitObjectKey: the informer cache's keys.
#include "csp/kube/object_key.h"

#include <gtest/gtest.h>

#include <string>

namespace csp::kube {
namespace {

struct KeyCase {
  const char* name;
  const char* object;
  const char* want;
};

const KeyCase kKeyCases[] = {
    {"namespaced", R"({"metadata":{"namespace":"ns","name":"a"}})", "ns/a"},
    {"cluster_scoped", R"({"metadata":{"name":"node-1"}})", "node-1"},
    {"empty_namespace", R"({"metadata":{"namespace":"","name":"a"}})", "a"},
    {"no_name", R"({"metadata":{"namespace":"ns"}})", ""},
    {"no_metadata", R"({"kind":"Pod"})", ""},
    {"metadata_not_an_object", R"({"metadata":[1]})", ""},
    {"name_not_a_string", R"({"metadata":{"name":5}})", ""},
    {"not_an_object", R"("pod")", ""},
};

class ObjectKeyTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(ObjectKeyTest, KeysLikeClientGo) {
  EXPECT_EQ(ObjectKey(nlohmann::json::parse(GetParam().object)), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Cases, ObjectKeyTest, ::testing::ValuesIn(kKeyCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SplitObjectKeyTest, InvertsObjectKey) {
  EXPECT_EQ(SplitObjectKey("ns/a"), (std::pair<std::string, std::string>{"ns", "a"}));
  EXPECT_EQ(SplitObjectKey("node-1"), (std::pair<std::string, std::string>{"", "node-1"}));
  EXPECT_EQ(ObjectKey("ns", "a"), "ns/a");
  EXPECT_EQ(ObjectKey("", "node-1"), "node-1");
}

}  // namespace
}  // namespace csp::kube
