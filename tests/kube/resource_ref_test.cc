#include "csp/kube/resource_ref.h"

#include <gtest/gtest.h>

namespace csp::kube {
namespace {

const ResourceRef kConfigMaps{"", "v1", "configmaps", true};
const ResourceRef kDeployments{"apps", "v1", "deployments", true};
const ResourceRef kNamespaces{"", "v1", "namespaces", false};

TEST(ResourceRefTest, CoreGroupUsesApi) {
  EXPECT_EQ(kConfigMaps.CollectionPath("team"), "/api/v1/namespaces/team/configmaps");
  EXPECT_EQ(kConfigMaps.ObjectPath("team", "cm"), "/api/v1/namespaces/team/configmaps/cm");
  EXPECT_EQ(kConfigMaps.Name(), "configmaps");
  EXPECT_EQ(kConfigMaps.ApiVersion(), "v1");
}

TEST(ResourceRefTest, NamedGroupUsesApis) {
  EXPECT_EQ(kDeployments.ObjectPath("a", "web", "scale"),
            "/apis/apps/v1/namespaces/a/deployments/web/scale");
  EXPECT_EQ(kDeployments.Name(), "deployments.apps");
  EXPECT_EQ(kDeployments.ApiVersion(), "apps/v1");
}

TEST(ResourceRefTest, EmptyNamespaceMeansAllNamespaces) {
  EXPECT_EQ(kDeployments.CollectionPath(""), "/apis/apps/v1/deployments");
}

TEST(ResourceRefTest, ClusterScopedIgnoresTheNamespace) {
  EXPECT_EQ(kNamespaces.ObjectPath("ignored", "kube-system"), "/api/v1/namespaces/kube-system");
}

TEST(QueryStringTest, EncodesAndSkipsEmptyValues) {
  EXPECT_EQ(QueryString({}), "");
  EXPECT_EQ(QueryString({{"a", ""}}), "");
  EXPECT_EQ(QueryString({{"labelSelector", "app in (a,b),tier!=x"}, {"limit", "2"}, {"x", ""}}),
            "?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Dx&limit=2");
  EXPECT_EQ(QueryString({{"continue", "eyJ2Ijoi+/="}}), "?continue=eyJ2Ijoi%2B%2F%3D");
}

TEST(PercentEncodeTest, KeepsUnreservedOnly) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a/b c"), "a%2Fb%20c");
  EXPECT_EQ(PercentEncode("\xc3\xa9"), "%C3%A9");
}

}  // namespace
}  // namespace csp::kube
