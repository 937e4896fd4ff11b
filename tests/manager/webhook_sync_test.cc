// SyncWebhook against the in-memory API server: the Secret it writes, the configuration it
// applies with the Secret's CA as caBundle, what it leaves alone, and the rotation step that
// waits for the configuration to carry the new bundle.
#include "csp/manager/webhook_sync.h"

#include <gtest/gtest.h>

#include "csp/certs/certificates.h"
#include "csp/kube/base64.h"
#include "csp/manager/resources.h"
#include "fake_api_server.h"

namespace csp::manager {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;
using std::chrono::sys_days;

const std::chrono::sys_seconds kT0 = sys_days{std::chrono::year(2030) / 1 / 1};

policy::Policy DenyPolicy() {
  auto p = policy::ParsePolicy({{"apiVersion", "containersecurity.dev/v1alpha1"},
                                {"kind", "ContainerSecurityPolicy"},
                                {"metadata", {{"name", "prod"}}},
                                {"spec", {{"admission", "Deny"}}}});
  EXPECT_TRUE(p) << p.error().message;
  return p ? *p : policy::Policy{};
}

class WebhookSyncTest : public ::testing::Test {
 protected:
  WebhookSyncTest() {
    auto transport = std::make_unique<test::FakeApiServer>();
    server_ = transport.get();
    client_ = std::make_unique<kube::Client>(std::move(transport),
                                             kube::RestConfig{.server = "https://fake"},
                                             kube::ClientOptions{.qps = 0});
    Options options;
    options.lease_namespace = "csp-system";
    options.webhook_url = "https://127.0.0.1:9443/validate";
    options.webhook_ca_lifetime_seconds = 3000;
    // As long as the CA: the serving certificate ends with it and is only renewed by the CA's
    // rotation, so the tests below see that rotation's steps alone.
    options.webhook_cert_lifetime_seconds = 3000;
    settings_ = WebhookSyncSettingsFrom(options);
    // The fake's PATCH merges into an existing object: the configuration exists, empty (as a
    // chart that pre-creates it would leave it).
    server_->Put(VwcPath(), {{"apiVersion", "admissionregistration.k8s.io/v1"},
                             {"kind", "ValidatingWebhookConfiguration"},
                             {"metadata", {{"name", "csp-operator"}}},
                             {"webhooks", json::array()}});
  }

  std::string SecretPath() const {
    return kSecrets.ObjectPath("csp-system", "csp-operator-webhook-cert");
  }
  std::string VwcPath() const {
    return kValidatingWebhookConfigurations.ObjectPath("", "csp-operator");
  }
  Result<WebhookSyncOutcome> Sync(std::chrono::sys_seconds now) {
    return SyncWebhook(*client_, settings_, policies_, now);
  }
  certs::SecretData StoredData() { return DecodeSecretData(server_->Get(SecretPath())); }
  std::vector<std::string> CaBundles() {
    std::vector<std::string> out;
    const json vwc = server_->Get(VwcPath());
    for (const json& w : vwc["webhooks"]) {
      out.push_back(w["clientConfig"].value("caBundle", ""));
    }
    return out;
  }

  test::FakeApiServer* server_ = nullptr;
  std::unique_ptr<kube::Client> client_;
  WebhookSyncSettings settings_;
  std::vector<policy::Policy> policies_ = {DenyPolicy()};
};

TEST_F(WebhookSyncTest, CreatesTheSecretAndInjectsItsCa) {
  auto outcome = Sync(kT0);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->certificate_change, "created");
  EXPECT_TRUE(outcome->configuration_written);
  const certs::SecretData data = StoredData();
  for (const char* key : {"ca.crt", "ca.key", "tls.crt", "tls.key"}) {
    EXPECT_TRUE(data.contains(key)) << key;
  }
  EXPECT_EQ(server_->Get(SecretPath())["type"], "kubernetes.io/tls");
  // The serving certificate names the Service and the URL's host.
  auto tls = certs::ReadCert(data.at("tls.crt"));
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->ip_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(tls->dns_names.back(), "csp-operator-webhook.csp-system.svc.cluster.local");
  EXPECT_TRUE(certs::VerifyChain(data.at("tls.crt"), data.at("ca.crt"), kT0));
  EXPECT_EQ(CaBundles(), std::vector<std::string>{kube::EncodeBase64(data.at("ca.crt"))});
  // Checked again well before the serving certificate's last third.
  EXPECT_LE(outcome->next, seconds(300));
}

TEST_F(WebhookSyncTest, WritesNothingWhenNothingChanged) {
  ASSERT_TRUE(Sync(kT0));
  const int puts = server_->count("PUT"), posts = server_->count("POST"),
            patches = server_->count("PATCH");
  auto outcome = Sync(kT0 + seconds(60));
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->certificate_change, "");
  EXPECT_FALSE(outcome->configuration_written);
  EXPECT_EQ(server_->count("PUT"), puts);
  EXPECT_EQ(server_->count("POST"), posts);
  EXPECT_EQ(server_->count("PATCH"), patches);
}

TEST_F(WebhookSyncTest, NoAdmissionPolicyLeavesNoWebhook) {
  ASSERT_TRUE(Sync(kT0));
  policies_.clear();
  auto outcome = Sync(kT0 + seconds(1));
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_TRUE(outcome->configuration_written);
  EXPECT_EQ(server_->Get(VwcPath())["webhooks"], json::array());
}

// A new CA joins the bundle; the serving certificate moves to it only once the configuration in
// the cluster carries the new bundle.
TEST_F(WebhookSyncTest, SwitchesToTheNewCaOnlyOnceTheBundleIsInTheConfiguration) {
  ASSERT_TRUE(Sync(kT0));
  const std::string first_ca = StoredData().at("ca.crt");
  auto added = Sync(kT0 + seconds(2100));  // the CA's last third
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_TRUE(added->certificate_change.starts_with("new CA added")) << added->certificate_change;
  const std::string bundle = StoredData().at("ca.crt");
  EXPECT_TRUE(bundle.starts_with(first_ca));
  EXPECT_EQ(CaBundles(), std::vector<std::string>{kube::EncodeBase64(bundle)});
  EXPECT_LE(added->next, seconds(10));

  // Someone (a stale cache, a slow write) puts the old bundle back: no switch yet.
  json vwc = server_->Get(VwcPath());
  vwc["webhooks"][0]["clientConfig"]["caBundle"] = kube::EncodeBase64(first_ca);
  server_->Put(VwcPath(), vwc);
  auto held = Sync(kT0 + seconds(2101));
  ASSERT_TRUE(held) << held.error().message;
  EXPECT_EQ(held->certificate_change, "");
  EXPECT_TRUE(held->configuration_written);  // the bundle is put back

  auto switched = Sync(kT0 + seconds(2102));
  ASSERT_TRUE(switched) << switched.error().message;
  EXPECT_EQ(switched->certificate_change, "serving certificate switched to the new CA");
  const certs::SecretData data = StoredData();
  // Trusted by the bundle before the switch, and issued by the second CA, not the first.
  EXPECT_TRUE(certs::VerifyChain(data.at("tls.crt"), bundle, kT0 + seconds(2102)));
  EXPECT_FALSE(certs::VerifyChain(data.at("tls.crt"), first_ca, kT0 + seconds(2102)));
}

TEST_F(WebhookSyncTest, ExternalCertificatesAreReadNeverWritten) {
  settings_.generate_certificates = false;
  auto missing = Sync(kT0);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::kFailedPrecondition);
  EXPECT_NE(missing.error().message.find("csp-system/csp-operator-webhook-cert"),
            std::string::npos);

  auto ca = certs::NewCa("cert-manager-ca", kT0, kT0 + seconds(3600));
  ASSERT_TRUE(ca);
  server_->Put(SecretPath(), {{"apiVersion", "v1"},
                              {"kind", "Secret"},
                              {"metadata", {{"name", "csp-operator-webhook-cert"}}},
                              {"data", {{"ca.crt", kube::EncodeBase64(ca->cert_pem)}}}});
  const int puts = server_->count("PUT");
  auto outcome = Sync(kT0);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(server_->count("PUT"), puts);
  EXPECT_EQ(CaBundles(), std::vector<std::string>{kube::EncodeBase64(ca->cert_pem)});
}

}  // namespace
}  // namespace csp::manager
