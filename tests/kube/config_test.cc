#include "csp/kube/config.h"

#include <gtest/gtest.h>

#include <map>

#include "fakes.h"

namespace csp::kube {
namespace {

using testing::TempDir;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Kubeconfig(const std::string& server) {
  return "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n"
         "clusters:\n- name: k\n  cluster: {server: '" +
         server + "'}\n";
}

TEST(LoadConfigTest, FlagWinsOverEnvironment) {
  TempDir dir;
  const auto flag = dir.Write("flag", Kubeconfig("https://flag:1"));
  const auto env = dir.Write("env", Kubeconfig("https://env:1"));
  auto config = LoadConfig(flag, "", Env({{"KUBECONFIG", env.string()}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://flag:1");
}

TEST(LoadConfigTest, KubeconfigVariableUsesItsFirstEntry) {
  TempDir dir;
  const auto first = dir.Write("first", Kubeconfig("https://first:1"));
  auto config = LoadConfig({}, "",
                           Env({{"KUBECONFIG", first.string() + ":/nonexistent/second"},
                                {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://first:1");
}

TEST(LoadConfigTest, HomeConfigIsTheLastResort) {
  TempDir home;
  home.Write(".kube/config", Kubeconfig("https://home:1"));
  auto config = LoadConfig({}, "", Env({{"HOME", home.path().string()}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://home:1");
}

TEST(LoadConfigTest, InClusterEnvironmentIsUsedBeforeHome) {
  TempDir home;
  home.Write(".kube/config", Kubeconfig("https://home:1"));
  // The real /var/run/secrets is absent on a build machine, so the in-cluster attempt fails,
  // which proves it was chosen over $HOME.
  auto config = LoadConfig({}, "",
                           Env({{"HOME", home.path().string()},
                                {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                {"KUBERNETES_SERVICE_PORT", "443"}}));
  if (std::filesystem::exists(ServiceAccountDir("/") / "token")) GTEST_SKIP() << "inside a Pod";
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("in-cluster config"), std::string::npos)
      << config.error().message;
}

TEST(LoadConfigTest, NothingConfiguredIsNotFound) {
  auto config = LoadConfig({}, "", Env({}));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, Code::kNotFound);
}

}  // namespace
}  // namespace csp::kube
