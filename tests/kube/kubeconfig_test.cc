#include "csp/kube/kubeconfig.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "fakes.h"

namespace csp::kube {
namespace {

using testing::TempDir;

// A kubeconfig with one cluster "c", one user "u" and one context "ctx" joining them; cases
// splice in the cluster and user bodies. Files are written next to it before loading.
struct Case {
  const char* name = "";
  std::string cluster = {};  // YAML lines under `cluster:` (indented 4)
  std::string user = {};     // YAML lines under `user:` (indented 4)
  std::map<std::string, std::string> files = {};
  std::string context = {};  // --context override
  // Expectations on success (nullopt: not checked) or on failure.
  std::optional<Code> error = std::nullopt;
  std::string error_has = {};
  std::string server = "https://127.0.0.1:6443";
  std::string ca = {};
  std::string cert = {};
  std::string key = {};
  std::string token = {};
  std::string token_file = {};  // relative to the temp dir
  std::string ns = "team-a";
  bool insecure = false;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string Document(const Case& c) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: ctx\n"
         "clusters:\n- name: c\n  cluster:\n" +
         c.cluster +
         "- name: other\n  cluster:\n    server: https://10.0.0.1:443\n"
         "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n    namespace: team-a\n"
         "- name: second\n  context:\n    cluster: other\n    namespace: team-b\n"
         "users:\n- name: u\n  user:\n" +
         c.user;
}

constexpr char kServer[] = "    server: https://127.0.0.1:6443\n";
// base64("CA-PEM\n"), base64("CERT-PEM\n"), base64("KEY-PEM\n")
constexpr char kCaB64[] = "Q0EtUEVNCg==";
constexpr char kCertB64[] = "Q0VSVC1QRU0K";
constexpr char kKeyB64[] = "S0VZLVBFTQo=";

const Case kCases[] = {
    {.name = "inline_data",
     .cluster = std::string(kServer) + "    certificate-authority-data: " + kCaB64 + "\n",
     .user = std::string("    client-certificate-data: ") + kCertB64 +
             "\n    client-key-data: " + kKeyB64 + "\n",
     .ca = "CA-PEM\n",
     .cert = "CERT-PEM\n",
     .key = "KEY-PEM\n"},
    {.name = "relative_paths",
     .cluster = std::string(kServer) + "    certificate-authority: pki/ca.crt\n",
     .user = "    client-certificate: pki/admin.crt\n    client-key: pki/admin.key\n",
     .files = {{"pki/ca.crt", "CA FILE"},
               {"pki/admin.crt", "CERT FILE"},
               {"pki/admin.key", "KEY FILE"}},
     .ca = "CA FILE",
     .cert = "CERT FILE",
     .key = "KEY FILE"},
    {.name = "data_wins_over_path",
     .cluster = std::string(kServer) + "    certificate-authority: missing.crt\n" +
                "    certificate-authority-data: " + kCaB64 + "\n",
     .user = "    token: abc\n",
     .ca = "CA-PEM\n",
     .token = "abc"},
    {.name = "token", .cluster = kServer, .user = "    token: s3cret\n", .token = "s3cret"},
    {.name = "token_file",
     .cluster = kServer,
     .user = "    tokenFile: tokens/dev\n",
     .files = {{"tokens/dev", "from-file\n"}},
     .token_file = "tokens/dev"},
    {.name = "trailing_slash_and_insecure",
     .cluster = "    server: https://127.0.0.1:6443/\n    insecure-skip-tls-verify: true\n",
     .user = "    token: t\n",
     .token = "t",
     .insecure = true},
    {.name = "context_override_without_user",
     .cluster = kServer,
     .user = "    token: t\n",
     .context = "second",
     .server = "https://10.0.0.1:443",
     .ns = "team-b"},
    // Errors name the file and the field.
    {.name = "missing_server",
     .cluster = "    certificate-authority-data: Q0EK\n",
     .user = "    token: t\n",
     .error = Code::kInvalidArgument,
     .error_has = "clusters[name=c].cluster.server: missing"},
    {.name = "server_not_a_url",
     .cluster = "    server: 127.0.0.1:6443\n",
     .user = "    token: t\n",
     .error = Code::kInvalidArgument,
     .error_has = "clusters[name=c].cluster.server: \"127.0.0.1:6443\" is not an http(s) URL"},
    {.name = "server_without_host",
     .cluster = "    server: https:///\n",
     .user = "    token: t\n",
     .error = Code::kInvalidArgument,
     .error_has = "clusters[name=c].cluster.server: \"https:///\" names no host"},
    {.name = "cert_without_key",
     .cluster = kServer,
     .user = std::string("    client-certificate-data: ") + kCertB64 + "\n",
     .error = Code::kInvalidArgument,
     .error_has = "users[name=u].user.client-key: missing (client-certificate is set)"},
    {.name = "key_without_cert",
     .cluster = kServer,
     .user = std::string("    client-key-data: ") + kKeyB64 + "\n",
     .error = Code::kInvalidArgument,
     .error_has = "users[name=u].user.client-certificate: missing (client-key is set)"},
    {.name = "missing_ca_file",
     .cluster = std::string(kServer) + "    certificate-authority: nope/ca.crt\n",
     .user = "    token: t\n",
     .error = Code::kInvalidArgument,
     .error_has = "clusters[name=c].cluster.certificate-authority: "},
    {.name = "missing_client_key_file",
     .cluster = kServer,
     .user = "    client-certificate: a.crt\n    client-key: gone.key\n",
     .files = {{"a.crt", "CERT"}},
     .error = Code::kInvalidArgument,
     .error_has = "users[name=u].user.client-key: "},
    {.name = "missing_token_file",
     .cluster = kServer,
     .user = "    tokenFile: no-such-token\n",
     .error = Code::kInvalidArgument,
     .error_has = "users[name=u].user.tokenFile: "},
    {.name = "bad_base64",
     .cluster = std::string(kServer) + "    certificate-authority-data: not*base64\n",
     .user = "    token: t\n",
     .error = Code::kInvalidArgument,
     .error_has = "clusters[name=c].cluster.certificate-authority-data: invalid base64"},
    {.name = "exec_unsupported",
     .cluster = kServer,
     .user = "    exec:\n      command: aws\n",
     .error = Code::kInvalidArgument,
     .error_has = "users[name=u].user.exec: not supported"},
    {.name = "unknown_context",
     .cluster = kServer,
     .user = "    token: t\n",
     .context = "nope",
     .error = Code::kInvalidArgument,
     .error_has = "--context: \"nope\" not found in contexts"},
    {.name = "server_is_a_map",
     .cluster = "    server:\n      url: x\n",
     .user = "    token: t\n",
     .error = Code::kInvalidArgument,
     .error_has = "clusters[name=c].cluster.server: must be a string"},
};

class KubeconfigTest : public ::testing::TestWithParam<Case> {};

TEST_P(KubeconfigTest, Loads) {
  const Case& c = GetParam();
  TempDir dir;
  for (const auto& [path, content] : c.files) dir.Write(path, content);
  // Relative paths in it resolve against its folder, not the working directory.
  const auto file = dir.Write("kubeconfig", Document(c));
  auto config = LoadKubeconfig(file, c.context);
  if (c.error) {
    ASSERT_FALSE(config) << "loaded although the case expects an error";
    EXPECT_EQ(config.error().code, *c.error) << config.error().message;
    EXPECT_NE(config.error().message.find(c.error_has), std::string::npos)
        << config.error().message;
    EXPECT_NE(config.error().message.find(file.string()), std::string::npos)
        << "the error must name the file: " << config.error().message;
    return;
  }
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, c.server);
  EXPECT_EQ(config->ca_pem, c.ca);
  EXPECT_EQ(config->client_cert_pem, c.cert);
  EXPECT_EQ(config->client_key_pem, c.key);
  EXPECT_EQ(config->token, c.token);
  EXPECT_EQ(config->token_file,
            c.token_file.empty() ? std::filesystem::path() : file.parent_path() / c.token_file);
  EXPECT_EQ(config->default_namespace, c.ns);
  EXPECT_EQ(config->insecure_skip_tls_verify, c.insecure);
}

INSTANTIATE_TEST_SUITE_P(Cases, KubeconfigTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(KubeconfigFileTest, MissingFileIsNotFound) {
  TempDir dir;
  auto config = LoadKubeconfig(dir.path() / "absent");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, Code::kNotFound);
  EXPECT_NE(config.error().message.find("absent"), std::string::npos) << config.error().message;
}

TEST(KubeconfigFileTest, InvalidYamlNamesTheFile) {
  TempDir dir;
  const auto file = dir.Write("kc", "clusters: [unclosed\n");
  auto config = LoadKubeconfig(file);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, Code::kInvalidArgument);
  EXPECT_NE(config.error().message.find(file.string() + ": (document): invalid YAML"),
            std::string::npos)
      << config.error().message;
}

TEST(KubeconfigFileTest, MissingCurrentContext) {
  TempDir dir;
  const auto file = dir.Write("kc", "apiVersion: v1\nkind: Config\nclusters: []\n");
  auto config = LoadKubeconfig(file);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("current-context: missing"), std::string::npos)
      << config.error().message;
}

}  // namespace
}  // namespace csp::kube
