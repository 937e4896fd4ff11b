#include "csp/kube/in_cluster.h"

#include <gtest/gtest.h>

#include <map>

#include "csp/kube/client.h"
#include "fakes.h"

namespace csp::kube {
namespace {

using testing::Respond;
using testing::ScriptedTransport;
using testing::TempDir;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::map<std::string, std::string> kServiceEnv = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                                        {"KUBERNETES_SERVICE_PORT", "443"}};

// Lays out the service-account folder the way the kubelet projects it: the files are symlinks
// into ..data, itself a symlink to a timestamped folder, swapped atomically on rotation.
class ServiceAccount {
 public:
  explicit ServiceAccount(const TempDir& root) : dir_(ServiceAccountDir(root.path())) {
    std::filesystem::create_directories(dir_);
  }

  void Project(const std::string& token, bool with_namespace = true, bool with_ca = true) {
    const std::string version = "..v" + std::to_string(++generation_);
    std::filesystem::create_directories(dir_ / version);
    std::ofstream(dir_ / version / "token") << token;
    if (with_ca) std::ofstream(dir_ / version / "ca.crt") << "CA PEM";
    if (with_namespace) std::ofstream(dir_ / version / "namespace") << "operators\n";
    std::filesystem::create_directory_symlink(version, dir_ / "..data_tmp");
    std::filesystem::rename(dir_ / "..data_tmp", dir_ / "..data");
    for (const char* file : {"token", "ca.crt", "namespace"}) {
      if (!std::filesystem::is_symlink(dir_ / file)) {
        std::filesystem::create_symlink(std::string("..data/") + file, dir_ / file);
      }
    }
  }

  std::filesystem::path dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  int generation_ = 0;
};

TEST(InClusterTest, LoadsEnvAndServiceAccountFiles) {
  TempDir root;
  ServiceAccount sa(root);
  sa.Project("token-1");
  auto config = LoadInClusterConfig(root.path(), Env(kServiceEnv));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->ca_pem, "CA PEM");
  EXPECT_EQ(config->token_file, sa.dir() / "token");
  EXPECT_EQ(config->default_namespace, "operators");
  EXPECT_TRUE(config->token.empty()) << "the token is read per request, not copied";
}

TEST(InClusterTest, BracketsAnIpv6Host) {
  TempDir root;
  ServiceAccount(root).Project("t");
  auto config = LoadInClusterConfig(root.path(), Env({{"KUBERNETES_SERVICE_HOST", "fd00::1"},
                                                      {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://[fd00::1]:443");
}

TEST(InClusterTest, NamespaceFileIsOptional) {
  TempDir root;
  ServiceAccount(root).Project("t", /*with_namespace=*/false);
  auto config = LoadInClusterConfig(root.path(), Env(kServiceEnv));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->default_namespace, "");
}

struct ErrorCase {
  const char* name = "";
  std::map<std::string, std::string> env = {};
  bool token = true;
  bool ca = true;
  Code code = Code::kOk;
  std::string message_has = {};
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

const ErrorCase kErrorCases[] = {
    {.name = "no_host",
     .env = {{"KUBERNETES_SERVICE_PORT", "443"}},
     .code = Code::kNotFound,
     .message_has = "KUBERNETES_SERVICE_HOST is not set"},
    {.name = "no_port",
     .env = {{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}},
     .code = Code::kNotFound,
     .message_has = "KUBERNETES_SERVICE_PORT is not set"},
    {.name = "port_not_a_number",
     .env = {{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}, {"KUBERNETES_SERVICE_PORT", "https"}},
     .code = Code::kInvalidArgument,
     .message_has = "KUBERNETES_SERVICE_PORT=\"https\""},
    {.name = "no_token",
     .env = kServiceEnv,
     .token = false,
     .code = Code::kNotFound,
     .message_has = "serviceaccount/token"},
    {.name = "no_ca",
     .env = kServiceEnv,
     .ca = false,
     .code = Code::kNotFound,
     .message_has = "serviceaccount/ca.crt"},
};

class InClusterErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(InClusterErrorTest, NamesWhatIsMissing) {
  const ErrorCase& c = GetParam();
  TempDir root;
  const auto dir = ServiceAccountDir(root.path());
  if (c.token) root.Write("var/run/secrets/kubernetes.io/serviceaccount/token", "t");
  if (c.ca) root.Write("var/run/secrets/kubernetes.io/serviceaccount/ca.crt", "CA");
  auto config = LoadInClusterConfig(root.path(), Env(c.env));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, c.code) << config.error().message;
  EXPECT_NE(config.error().message.find(c.message_has), std::string::npos)
      << config.error().message;
}

INSTANTIATE_TEST_SUITE_P(Cases, InClusterErrorTest, ::testing::ValuesIn(kErrorCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(InClusterTest, ClientSendsTheRotatedToken) {
  TempDir root;
  ServiceAccount sa(root);
  sa.Project("token-1");
  auto config = LoadInClusterConfig(root.path(), Env(kServiceEnv));
  ASSERT_TRUE(config) << config.error().message;
  auto transport = std::make_unique<ScriptedTransport>(
      std::vector{Respond(200, R"({"major":"1"})"), Respond(200, R"({"major":"1"})")});
  ScriptedTransport* seen = transport.get();
  testing::FakeClock clock;
  Client client(std::move(transport), *config, {.clock = &clock});

  ASSERT_TRUE(client.GetPath("/version"));
  sa.Project("token-2-rotated");
  ASSERT_TRUE(client.GetPath("/version"));

  ASSERT_EQ(seen->requests.size(), 2u);
  EXPECT_EQ(FindHeader(seen->requests[0].headers, "Authorization"), "Bearer token-1");
  EXPECT_EQ(FindHeader(seen->requests[1].headers, "Authorization"), "Bearer token-2-rotated");
}

}  // namespace
}  // namespace csp::kube
