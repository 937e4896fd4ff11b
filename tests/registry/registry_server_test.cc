// The client against real distribution registries (hack/build-test-tools.sh): plain HTTP, TLS
// with a test CA, htpasswd basic auth and token auth. Content is pushed with crane. Distribution
// 3.1 has no referrers API (its router has no referrers route: 404), so GetReferrers takes the
// fallback-tag path here; the API path is tested in hostile_registry_test.cc and against a
// registry with the API in tests/imageverify/referrers_api_test.cc.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "csp/certs/certificates.h"
#include "csp/kube/base64.h"
#include "csp/registry/client.h"
#include "csp/registry/digest.h"
#include "csp/registry/media_types.h"
#include "registry_harness.h"
#include "subprocess.h"
#include "temp_dir.h"
#include "token_issuer.h"

namespace csp::registry {
namespace {

namespace fs = std::filesystem;
using testing::RegistryConfig;
using testing::RegistryProcess;

class RegistryServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = testing::TestToolsBin();
    if (!bin_) {
      GTEST_SKIP() << "no registry/crane in ~/.cache/csp-operator/test-tools/*/bin (run "
                      "hack/build-test-tools.sh, or set CSP_TEST_TOOLS_BIN)";
    }
    // crane reads credentials from $DOCKER_CONFIG/config.json.
    setenv("DOCKER_CONFIG", (dir_.path() / "docker").c_str(), 1);
    csp::test::WriteText(dir_.path() / "docker/config.json", R"({"auths":{}})");
    MakeLayer("hello from csp-operator tests\n");
  }

  // layer.tar: one file with `content`.
  void MakeLayer(const std::string& content) {
    csp::test::WriteText(dir_.path() / "layer/hello.txt", content);
    auto tar = csp::test::Run({"tar", "-cf", (dir_.path() / "layer.tar").string(), "-C",
                               (dir_.path() / "layer").string(), "hello.txt"});
    ASSERT_EQ(tar.exit_code, 0) << tar;
  }

  std::unique_ptr<RegistryProcess> Start(const RegistryConfig& config = {}) {
    auto process = std::make_unique<RegistryProcess>(*bin_, config);
    EXPECT_EQ(process->error(), "");
    return process;
  }

  // Runs crane; its output, trimmed.
  std::string Crane(std::vector<std::string> args) {
    args.insert(args.begin(), (*bin_ / "crane").string());
    args.push_back("--insecure");
    auto result = csp::test::Run(args, "", 120);
    EXPECT_EQ(result.exit_code, 0) << result;
    std::string out = result.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }

  // Pushes a one-layer image (OCI media types) to host/app:<tag>; returns its digest.
  std::string PushImage(const std::string& host, const std::string& tag) {
    Crane({"append", "--oci-empty-base", "-f", (dir_.path() / "layer.tar").string(), "-t",
           host + "/app:" + tag});
    return Crane({"digest", host + "/app:" + tag});
  }

  void UseCraneCredentials(const std::string& host, const std::string& user,
                           const std::string& password) {
    csp::test::WriteText(dir_.path() / "docker/config.json",
                         R"({"auths":{")" + host + R"(":{"auth":")" +
                             kube::EncodeBase64(user + ":" + password) + R"("}}})");
  }

  std::unique_ptr<Client> NewClient(ClientOptions options) {
    options.timeout = std::chrono::seconds(20);
    auto client = Client::New(std::move(options));
    EXPECT_TRUE(client) << client.error().message;
    return std::move(*client);
  }

  std::unique_ptr<Client> PlainClient(const std::string& host) {
    ClientOptions options;
    options.insecure_hosts[host] = HostSecurity::kPlainHttp;
    return NewClient(std::move(options));
  }

  static Reference Ref(const std::string& image) { return *ParseReference(image); }

  std::optional<fs::path> bin_;
  csp::test::TempDir dir_;
};

TEST_F(RegistryServerTest, PlainHttpManifestsBlobsTagsAndFallbackReferrers) {
  auto registry = Start();
  const std::string host = registry->host();
  const std::string digest = PushImage(host, "v1");
  auto client = PlainClient(host);

  auto by_tag = client->ResolveDigest(Ref(host + "/app:v1"));
  ASSERT_TRUE(by_tag) << by_tag.error().message;
  EXPECT_EQ(*by_tag, digest);
  auto by_digest = client->ResolveDigest(Ref(host + "/app@" + digest));
  ASSERT_TRUE(by_digest) << by_digest.error().message;
  EXPECT_EQ(*by_digest, digest);

  auto missing = client->ResolveDigest(Ref(host + "/app:nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::kNotFound);
  EXPECT_EQ(missing.error().message,
            "registry " + host + ": 404 Not Found for HEAD /v2/app/manifests/nope");

  auto manifest = client->GetManifest(Ref(host + "/app"), digest);
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->media_type, kOciManifest);
  EXPECT_EQ(manifest->digest, digest);
  const auto doc = nlohmann::json::parse(manifest->bytes);
  const std::string layer = doc["layers"][0]["digest"];
  auto blob = client->GetBlob(Ref(host + "/app"), layer);
  ASSERT_TRUE(blob) << blob.error().message;
  EXPECT_EQ(Sha256Digest(*blob), layer);

  auto sig = client->GetTag(Ref(host + "/app"), LegacySignatureTag(digest));
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_FALSE(*sig);

  auto none = client->GetReferrers(Ref(host + "/app"), digest, "");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->from_fallback_tag);
  EXPECT_TRUE(none->pages.empty());

  // What cosign writes on a registry without the referrers API: an OCI index tagged
  // sha256-<hex>. Its content does not matter to the client.
  Crane({"index", "append", "-m", host + "/app@" + digest, "-t",
         host + "/app:" + FallbackReferrersTag(digest)});
  auto fallback = client->GetReferrers(Ref(host + "/app"), digest, "");
  ASSERT_TRUE(fallback) << fallback.error().message;
  EXPECT_TRUE(fallback->from_fallback_tag);
  ASSERT_EQ(fallback->pages.size(), 1u);
  EXPECT_EQ(fallback->pages[0].media_type, kOciIndex);
  EXPECT_EQ(fallback->pages[0].digest,
            Crane({"digest", host + "/app:" + FallbackReferrersTag(digest)}));
}

TEST_F(RegistryServerTest, MultiArchIndexResolvesToTheIndexDigest) {
  auto registry = Start();
  const std::string host = registry->host();
  const std::string first = PushImage(host, "a");
  MakeLayer("another layer\n");
  const std::string second = PushImage(host, "b");
  ASSERT_NE(first, second);
  Crane({"index", "append", "-m", host + "/app@" + first, "-m", host + "/app@" + second, "-t",
         host + "/app:multi"});
  const std::string index_digest = Crane({"digest", host + "/app:multi"});
  auto client = PlainClient(host);
  auto got = client->ResolveDigest(Ref(host + "/app:multi"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, index_digest);
  auto index = client->GetManifest(Ref(host + "/app"), "multi");
  ASSERT_TRUE(index) << index.error().message;
  EXPECT_EQ(index->media_type, kOciIndex);
  EXPECT_EQ(index->digest, index_digest);
}

TEST_F(RegistryServerTest, TlsIsVerifiedAgainstTheGivenCa) {
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  auto ca = certs::NewCa("csp-test-ca", now - std::chrono::hours(1), now + std::chrono::hours(24));
  ASSERT_TRUE(ca);
  const std::vector<std::string> ips = {"127.0.0.1"};
  auto serving = certs::NewServingCert(*ca, {}, ips, now - std::chrono::hours(1),
                                       now + std::chrono::hours(24));
  ASSERT_TRUE(serving) << serving.error().message;
  auto registry =
      Start(RegistryConfig{.tls_cert_pem = serving->cert_pem, .tls_key_pem = serving->key_pem});
  const std::string host = registry->host();
  const std::string digest = PushImage(host, "v1");

  ClientOptions trusted;
  trusted.tls.ca_bundle_pem = ca->cert_pem;
  auto got = NewClient(trusted)->ResolveDigest(Ref(host + "/app:v1"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, digest);

  auto untrusted = NewClient({})->ResolveDigest(Ref(host + "/app:v1"));
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().code, Code::kUnauthenticated);
  EXPECT_EQ(untrusted.error().message,
            "registry " + host +
                ": TLS certificate verification failed: unable to get local issuer certificate");

  ClientOptions skip;
  skip.insecure_hosts[host] = HostSecurity::kTlsSkipVerify;
  auto skipped = NewClient(skip)->ResolveDigest(Ref(host + "/app:v1"));
  ASSERT_TRUE(skipped) << skipped.error().message;
  EXPECT_EQ(*skipped, digest);
}

TEST_F(RegistryServerTest, BasicAuthUsesTheKeychainAndNamesTheRegistryOnFailure) {
  auto registry = Start(RegistryConfig{.htpasswd = "alice:" + testing::BcryptHash("pw1") + "\n"});
  const std::string host = registry->host();
  UseCraneCredentials(host, "alice", "pw1");
  const std::string digest = PushImage(host, "v1");
  auto client = PlainClient(host);

  auto anonymous = client->ResolveDigest(Ref(host + "/app:v1"));
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code, Code::kUnauthenticated);
  EXPECT_EQ(anonymous.error().message,
            "registry " + host +
                ": 401 Unauthorized: basic authentication required and no credentials are "
                "configured for this registry");

  Keychain wrong;
  ASSERT_TRUE(wrong.Add(R"({"auths":{")" + host + R"(":{"username":"alice","password":"nope"}}})"));
  auto refused = client->ResolveDigest(Ref(host + "/app:v1"), wrong);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message.rfind(
                "registry " + host + ": 401 Unauthorized for HEAD /v2/app/manifests/v1", 0),
            0u)
      << refused.error().message;
  EXPECT_EQ(refused.error().message.find("nope"), std::string::npos);

  Keychain right;
  ASSERT_TRUE(right.Add(R"({"auths":{"http://)" + host + R"(/v2/":{"auth":")" +
                        kube::EncodeBase64("alice:pw1") + R"("}}})"));
  auto got = client->ResolveDigest(Ref(host + "/app:v1"), right);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, digest);
}

TEST_F(RegistryServerTest, BearerTokensAreFetchedOncePerScopeAndCached) {
  testing::TokenIssuer issuer("bob", "pw2");
  auto registry = Start(RegistryConfig{.token_realm = issuer.realm(),
                                       .token_service = testing::TokenIssuer::kService,
                                       .token_issuer = testing::TokenIssuer::kIssuer,
                                       .token_root_pem = issuer.cert_pem()});
  const std::string host = registry->host();
  UseCraneCredentials(host, "bob", "pw2");
  const std::string digest = PushImage(host, "v1");

  ClientOptions options;
  options.insecure_hosts[host] = HostSecurity::kPlainHttp;
  options.insecure_hosts[issuer.host()] = HostSecurity::kPlainHttp;
  auto client = NewClient(options);
  Keychain keychain;
  ASSERT_TRUE(keychain.Add(R"({"auths":{")" + host + R"(":{"username":"bob","password":"pw2"}}})"));

  const int before = issuer.tokens_issued();
  auto got = client->ResolveDigest(Ref(host + "/app:v1"), keychain);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, digest);
  auto again = client->GetManifest(Ref(host + "/app"), digest, keychain);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(issuer.tokens_issued(), before + 1);

  Keychain wrong;
  ASSERT_TRUE(wrong.Add(R"({"auths":{")" + host + R"(":{"username":"bob","password":"x"}}})"));
  auto refused = client->ResolveDigest(Ref(host + "/app:v1"), wrong);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kUnauthenticated);
  EXPECT_EQ(refused.error().message,
            "registry " + host + ": 401 Unauthorized for GET token from " + issuer.host());
}

TEST_F(RegistryServerTest, StoppedRegistryIsUnavailable) {
  std::string host;
  {
    auto registry = Start();
    host = registry->host();
  }
  ClientOptions options;
  options.insecure_hosts[host] = HostSecurity::kPlainHttp;
  options.retry.base_delay = std::chrono::milliseconds(1);
  auto got = NewClient(options)->ResolveDigest(Ref(host + "/app:v1"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::kUnavailable);
  EXPECT_EQ(got.error().message, "registry " + host + ": connect: Connection refused");
}

}  // namespace
}  // namespace csp::registry
