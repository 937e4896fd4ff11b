// ImageVerification against the in-memory API server: a policy's secretRef keys are read only
// from the namespaces the admin names, and read again after the recheck interval (a rotated
// key counts); a workload's registry credentials come from its imagePullSecrets, then its
// ServiceAccount's, each Secret read once per interval. Verdicts themselves are tested against
// a real registry (tests/e2e/operator_signature_test.cc).
#include "csp/manager/image_verification.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "csp/common/base64.h"
#include "csp/manager/resources.h"
#include "fake_api_server.h"
#include "fakes.h"

namespace csp::manager {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::string Fixture(const std::string& path) {
  std::ifstream in(std::string(SIGNATURE_TESTDATA) + "/" + path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

policy::Policy PolicyWithKeys(const json& keys) {
  auto p = policy::ParsePolicy(
      {{"apiVersion", "containersecurity.dev/v1alpha1"},
       {"kind", "ContainerSecurityPolicy"},
       {"metadata", {{"name", "prod"}}},
       {"spec", {{"controls", {{"imageSignature", {{"enabled", true}, {"keys", keys}}}}}}}});
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

json SecretKey(const std::string& name, const std::string& ns) {
  return {{"name", name},
          {"secretRef", {{"namespace", ns}, {"name", "cosign"}, {"key", "cosign.pub"}}}};
}

json Secret(const std::string& ns, const std::string& name, const json& data) {
  json encoded = json::object();
  for (const auto& [k, v] : data.items()) encoded[k] = EncodeBase64(v.get<std::string>());
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"data", encoded}};
}

json DockerConfig(const std::string& host, const std::string& user) {
  return {{"auths", {{host, {{"auth", EncodeBase64(user + ":secret")}}}}}};
}

class ImageVerificationTest : public ::testing::Test {
 protected:
  ImageVerificationTest() {
    auto transport = std::make_unique<test::FakeApiServer>();
    server_ = transport.get();
    client_ = std::make_unique<kube::Client>(std::move(transport),
                                             kube::RestConfig{.server = "https://fake"},
                                             kube::ClientOptions{.qps = 0});
  }

  ImageVerification& Verification(bool pull_secrets = true) {
    auto made = ImageVerification::New(*client_,
                                       {.key_namespaces = {"csp-system", "keys"},
                                        .pull_secrets = pull_secrets,
                                        .recheck_period = 300s},
                                       clock_);
    EXPECT_TRUE(made) << made.error().message;
    verification_ = std::move(*made);
    return *verification_;
  }

  void Seed(const kube::ResourceRef& ref, const std::string& ns, const json& object) {
    server_->Put(ref.ObjectPath(ns, object["metadata"]["name"].get<std::string>()), object);
  }

  policy::Workload Workload(const json& pod_spec) {
    object_ = {{"apiVersion", "apps/v1"},
               {"kind", "Deployment"},
               {"metadata", {{"name", "web"}, {"namespace", "shop"}}},
               {"spec", {{"template", {{"spec", pod_spec}}}}}};
    auto w = policy::AsWorkload(object_, "shop");
    EXPECT_TRUE(w && *w);
    return **w;
  }

  int Gets(const std::string& path) {
    int n = 0;
    for (const std::string& r : server_->requests("GET")) n += r == "GET " + path;
    return n;
  }

  kube::testing::FakeClock clock_;
  test::FakeApiServer* server_ = nullptr;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<ImageVerification> verification_;
  json object_;
};

TEST_F(ImageVerificationTest, SecretKeyFromANamedNamespaceIsUsed) {
  Seed(kSecrets, "keys", Secret("keys", "cosign", {{"cosign.pub", Fixture("keys/p256.pub")}}));
  auto keys = Verification().KeysFor(
      PolicyWithKeys({{{"name", "inline"}, {"publicKey", Fixture("keys/ed25519.pub")}},
                      SecretKey("release", "keys")}));
  ASSERT_EQ(keys->keys.size(), 2u);
  EXPECT_EQ(keys->keys[0].name, "inline");
  EXPECT_EQ(keys->keys[1].name, "release");
  EXPECT_TRUE(keys->problems.empty());
}

TEST_F(ImageVerificationTest, SecretKeyProblemsNameTheKeyAndWhy) {
  // A Secret in a namespace the admin did not name is never read, even when it exists.
  Seed(kSecrets, "team-a", Secret("team-a", "cosign", {{"cosign.pub", Fixture("keys/p256.pub")}}));
  Seed(kSecrets, "keys", Secret("keys", "cosign", {{"other", "x"}}));
  auto keys = Verification().KeysFor(
      PolicyWithKeys({SecretKey("mine", "team-a"), SecretKey("gone", "csp-system"),
                      SecretKey("wrongkey", "keys")}));
  EXPECT_TRUE(keys->keys.empty());
  EXPECT_EQ(keys->problems,
            (std::vector<std::string>{
                "key mine (secretRef team-a/cosign): namespace team-a is not one csp-operator "
                "reads keys from (--signature-key-namespaces: csp-system, keys)",
                "key gone (secretRef csp-system/cosign): secret csp-system/cosign not found",
                "key wrongkey (secretRef keys/cosign): secret keys/cosign has no key cosign.pub"}));
  EXPECT_EQ(Gets("/api/v1/namespaces/team-a/secrets/cosign"), 0);
}

TEST_F(ImageVerificationTest, RotatedKeyCountsAfterTheRecheckInterval) {
  Seed(kSecrets, "keys", Secret("keys", "cosign", {{"cosign.pub", Fixture("keys/p256.pub")}}));
  ImageVerification& v = Verification();
  const policy::Policy p = PolicyWithKeys(json::array({SecretKey("release", "keys")}));
  const auto before = v.KeysFor(p);
  Seed(kSecrets, "keys", Secret("keys", "cosign", {{"cosign.pub", Fixture("keys/rsa.pub")}}));
  clock_.Advance(v.recheck_interval() - 1s);
  EXPECT_EQ(v.KeysFor(p), before);  // kept: one GET per interval, not one per workload
  clock_.Advance(1s);
  const auto after = v.KeysFor(p);
  ASSERT_EQ(after->keys.size(), 1u);
  EXPECT_NE(after->keys[0].key.hint(), before->keys[0].key.hint());
  EXPECT_EQ(Gets("/api/v1/namespaces/keys/secrets/cosign"), 2);
}

TEST_F(ImageVerificationTest, PullCredentialsComeFromThePodThenItsServiceAccount) {
  Seed(kSecrets, "shop",
       Secret("shop", "pod-cred",
              {{".dockerconfigjson", DockerConfig("registry.local", "pod-user").dump()}}));
  Seed(kSecrets, "shop",
       Secret("shop", "sa-cred",
              {{".dockerconfigjson", DockerConfig("registry.local", "sa-user").dump()},
               {"unused", "x"}}));
  Seed(kSecrets, "shop",
       Secret("shop", "legacy",
              {{".dockercfg", json{{"other.io", {{"auth", EncodeBase64("old:pw")}}}}.dump()}}));
  Seed(kServiceAccounts, "shop",
       {{"apiVersion", "v1"},
        {"kind", "ServiceAccount"},
        {"metadata", {{"name", "builder"}, {"namespace", "shop"}}},
        {"imagePullSecrets", {{{"name", "sa-cred"}}, {{"name", "legacy"}}}}});
  ImageVerification& v = Verification();
  const registry::Keychain keychain = v.PullKeychain(
      Workload({{"serviceAccountName", "builder"},
                {"imagePullSecrets", {{{"name", "missing"}}, {{"name", "pod-cred"}}}},
                {"containers", {{{"name", "app"}, {"image", "registry.local/app:v1"}}}}}));
  ASSERT_TRUE(keychain.Find("registry.local"));
  EXPECT_EQ(keychain.Find("registry.local")->username, "pod-user");  // the pod's comes first
  ASSERT_TRUE(keychain.Find("other.io"));
  EXPECT_EQ(keychain.Find("other.io")->username, "old");
  // A second workload within the interval reads nothing again.
  (void)v.PullKeychain(Workload({{"serviceAccountName", "builder"},
                                 {"imagePullSecrets", {{{"name", "pod-cred"}}}},
                                 {"containers", {{{"name", "app"}, {"image", "x"}}}}}));
  EXPECT_EQ(Gets("/api/v1/namespaces/shop/secrets/pod-cred"), 1);
  EXPECT_EQ(Gets("/api/v1/namespaces/shop/serviceaccounts/builder"), 1);
}

TEST_F(ImageVerificationTest, DefaultServiceAccountAndNoPullSecretsWhenOff) {
  Seed(kSecrets, "shop",
       Secret("shop", "cred", {{".dockerconfigjson", DockerConfig("registry.local", "u").dump()}}));
  Seed(kServiceAccounts, "shop",
       {{"apiVersion", "v1"},
        {"kind", "ServiceAccount"},
        {"metadata", {{"name", "default"}, {"namespace", "shop"}}},
        {"imagePullSecrets", {{{"name", "cred"}}}}});
  const json spec = {{"containers", {{{"name", "app"}, {"image", "registry.local/a"}}}}};
  EXPECT_TRUE(Verification().PullKeychain(Workload(spec)).Find("registry.local"));
  const std::size_t asked = server_->requests().size();
  EXPECT_TRUE(Verification(/*pull_secrets=*/false).PullKeychain(Workload(spec)).empty());
  EXPECT_EQ(server_->requests().size(), asked);
}

TEST_F(ImageVerificationTest, WorkloadSignaturesOnlyForPoliciesWithKeys) {
  ImageVerification& v = Verification();
  WorkloadSignatures signatures(&v);
  const policy::Workload w = Workload({{"containers", {{{"name", "app"}, {"image", "a"}}}}});
  auto without_keys = policy::ParsePolicy({{"apiVersion", "containersecurity.dev/v1alpha1"},
                                           {"kind", "ContainerSecurityPolicy"},
                                           {"metadata", {{"name", "base"}}}});
  ASSERT_TRUE(without_keys);
  EXPECT_EQ(signatures.For(*without_keys, w), nullptr);
  const policy::Policy with_keys =
      PolicyWithKeys({{{"name", "k"}, {"publicKey", Fixture("keys/p256.pub")}}});
  const policy::ImageSignatures* first = signatures.For(with_keys, w);
  EXPECT_NE(first, nullptr);
  EXPECT_EQ(signatures.For(with_keys, w), first);  // one per policy and workload
  WorkloadSignatures off(nullptr);
  EXPECT_EQ(off.For(with_keys, w), nullptr);
}

}  // namespace
}  // namespace csp::manager
