// Cosign signature verification by the running operator (docs/signatures.md "In the cluster"),
// against the real kube-apiserver and a real registry on loopback, with images pushed by crane
// and signed by cosign (test-tools cache; skipped without it): the reports agree with
// `cspctl scan --verify-images` on the same workloads, follow a moved tag, a rotated key and a
// registry going down within the recheck period, read private images with the workload's
// imagePullSecrets, and admission refuses an unsigned image.
#include <nlohmann/json.hpp>

#include "cosign_signer.h"
#include "csp/kube/base64.h"
#include "operator_harness.h"
#include "registry_harness.h"
#include "temp_dir.h"

namespace csp::e2e {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using registry::testing::CosignSigner;
using registry::testing::RegistryConfig;
using registry::testing::RegistryProcess;
using namespace std::chrono_literals;

constexpr char kRule[] = "require-image-signature";
// --signature-recheck-seconds: verdicts are kept half of it and namespaces evaluated again as
// often, so a change shows within it.
constexpr int kRecheckSeconds = 10;
constexpr auto kFollows = 60s;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class OperatorSignatureTest : public WebhookOperatorTest {
 protected:
  void SetUp() override {
    bin_ = registry::testing::TestToolsBin();
    if (!bin_ || !fs::exists(*bin_ / "cosign")) {
      GTEST_SKIP() << "no registry/crane/cosign in ~/.cache/csp-operator/test-tools/*/bin (run "
                      "hack/build-test-tools.sh)";
    }
    WebhookOperatorTest::SetUp();
    signer_ = std::make_unique<CosignSigner>(*bin_, dir_.path());
    signer_->GenerateKey("release");
    signer_->GenerateKey("other");
    registry_ = std::make_unique<RegistryProcess>(*bin_, RegistryConfig{});
    ASSERT_EQ(registry_->error(), "");
    host_ = registry_->host();
  }

  void TearDown() override {
    if (!key_secret_.empty()) {
      Kubectl({"-n", kOperatorNamespace, "delete", "secret", key_secret_, "--ignore-not-found"});
    }
    WebhookOperatorTest::TearDown();
  }

  // The key Secret in csp-system (the default --signature-key-namespaces), holding `key`'s PEM.
  void WriteKeySecret(const std::string& key) {
    if (key_secret_.empty()) key_secret_ = UniqueName("cosign");
    const json secret = {{"apiVersion", "v1"},
                         {"kind", "Secret"},
                         {"metadata", {{"name", key_secret_}, {"namespace", kOperatorNamespace}}},
                         {"data", {{"cosign.pub", kube::EncodeBase64(signer_->PublicKey(key))}}}};
    CommandResult r = Kubectl({"apply", "-f", "-"}, secret.dump());
    ASSERT_EQ(r.exit_code, 0) << r;
  }

  // Only rule 8, for ns(), trusting `key` (a secretRef to the key Secret, or the release key
  // inline for cspctl, which reads no Secret).
  json Spec(const json& key, const std::string& admission = "None") {
    json spec = PrivilegedOnlyPolicySpec(ns(), "Audit");
    spec["controls"]["privileged"]["enabled"] = false;
    spec["controls"]["imageSignature"] = {{"enabled", true}, {"keys", json::array({key})}};
    spec["admission"] = admission;
    return spec;
  }
  json SecretKey() const {
    return {{"name", "release"},
            {"secretRef",
             {{"namespace", kOperatorNamespace}, {"name", key_secret_}, {"key", "cosign.pub"}}}};
  }
  json InlineKey() const {
    return {{"name", "release"}, {"publicKey", signer_->PublicKey("release")}};
  }

  OperatorProcess* Start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> flags = {"--insecure-registries", host_, "--signature-recheck-seconds",
                                      std::to_string(kRecheckSeconds)};
    flags.insert(flags.end(), extra.begin(), extra.end());
    return StartWithWebhook(flags);
  }

  json Deployment(const std::string& name, const std::string& image,
                  const std::vector<std::string>& pull_secrets = {}) {
    json pod = PodSpec(/*privileged=*/false);
    pod["containers"][0]["image"] = image;
    for (const std::string& s : pull_secrets) pod["imagePullSecrets"].push_back({{"name", s}});
    return DeploymentObject(name, 1, pod);
  }

  // The rule's result on Deployment `name` in the report of `policy`: {result, message,
  // properties}, or null when there is none yet.
  json Result(const std::string& policy, const std::string& name) {
    auto report = Report(ns(), policy);
    if (!report) return nullptr;
    for (const json& r : ResultsFor(*report, "Deployment", name)) {
      if (r.value("rule", "") == kRule) return r;
    }
    return nullptr;
  }

  // Waits until the rule's result on `name` is `want` with `message_part` in its message.
  ::testing::AssertionResult WaitResult(const std::string& policy, const std::string& name,
                                        const std::string& want, const std::string& message_part,
                                        std::chrono::seconds timeout = kFollows) {
    json last;
    if (Eventually(
            [&] {
              last = Result(policy, name);
              return last.is_object() && last.value("result", "") == want &&
                     Contains(last.value("message", ""), message_part);
            },
            timeout)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << name << ": want " << want << " with \"" << message_part << "\", got " << last.dump();
  }

  // cspctl scan --verify-images on `objects` under `spec`: rule 8's result per Deployment.
  std::map<std::string, json> Cspctl(const json& spec, const std::vector<json>& objects,
                                     const std::vector<std::string>& flags = {}) {
    test::WriteText(dir_.path() / "policy.json", PolicyObject("cli", spec).dump());
    json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", json::array()}};
    for (json o : objects) {
      o["metadata"]["namespace"] = ns();
      list["items"].push_back(o);
    }
    test::WriteText(dir_.path() / "workloads.json", list.dump());
    std::vector<std::string> argv = {BuildDir() + "/operator/cmd/scan/cspctl",
                                     "scan",
                                     "-o",
                                     "json",
                                     "--policy",
                                     (dir_.path() / "policy.json").string(),
                                     "--verify-images",
                                     "--insecure-registry",
                                     host_};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back((dir_.path() / "workloads.json").string());
    CommandResult r = Run(argv, "", 300);
    std::map<std::string, json> out;
    json reports = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(reports.is_discarded()) << r;
    if (reports.is_discarded()) return out;
    for (const json& report : reports["items"]) {
      for (const json& result : report["results"]) {
        if (result.value("rule", "") != kRule) continue;
        out[result["resources"][0]["name"].get<std::string>()] = result;
      }
    }
    return out;
  }

  std::optional<fs::path> bin_;
  test::TempDir dir_;
  std::unique_ptr<CosignSigner> signer_;
  std::unique_ptr<RegistryProcess> registry_;
  std::string host_;
  std::string key_secret_;
};

TEST_F(OperatorSignatureTest, ReportsAgreeWithCspctlAndFollowTagsKeysAndTheRegistry) {
  const std::string bundle = signer_->PushRandom(host_ + "/bundle:v1");
  const std::string legacy = signer_->PushRandom(host_ + "/legacy:v1");
  const std::string other = signer_->PushRandom(host_ + "/other:v1");
  const std::string moving = signer_->PushRandom(host_ + "/moving:v1");
  signer_->PushRandom(host_ + "/unsigned:v1");
  signer_->Sign(host_ + "/bundle@" + bundle, "release");
  signer_->Sign(host_ + "/legacy@" + legacy, "release", /*legacy=*/true);
  signer_->Sign(host_ + "/other@" + other, "other");
  signer_->Sign(host_ + "/moving@" + moving, "release");
  WriteKeySecret("release");
  ASSERT_FALSE(HasFailure());

  const std::vector<json> workloads = {
      Deployment("bundle", host_ + "/bundle:v1"), Deployment("legacy", host_ + "/legacy@" + legacy),
      Deployment("other", host_ + "/other:v1"), Deployment("unsigned", host_ + "/unsigned:v1"),
      Deployment("moving", host_ + "/moving:v1")};
  for (const json& w : workloads) Create(w);
  const std::string policy = CreatePolicy("e2e-sig", Spec(SecretKey()));
  Start();

  ASSERT_TRUE(WaitResult(policy, "bundle", "pass", ""));
  ASSERT_TRUE(WaitResult(policy, "legacy", "pass", ""));
  ASSERT_TRUE(WaitResult(policy, "other", "fail", "signature does not verify with keys [release]"));
  ASSERT_TRUE(WaitResult(policy, "unsigned", "fail", "no signature"));
  ASSERT_TRUE(WaitResult(policy, "moving", "pass", ""));
  EXPECT_EQ(Result(policy, "bundle")["properties"].value("verifiedDigest.app", ""), bundle);
  EXPECT_TRUE(Contains(Result(policy, "unsigned").value("message", ""), "container \"app\""));

  // cspctl, with the same key inline, says the same about every workload.
  const auto cli = Cspctl(Spec(InlineKey()), workloads);
  for (const json& w : workloads) {
    const std::string name = w["metadata"]["name"];
    const json in_cluster = Result(policy, name);
    ASSERT_TRUE(cli.contains(name)) << name;
    EXPECT_EQ(in_cluster.value("result", ""), cli.at(name).value("result", "")) << name;
    EXPECT_EQ(in_cluster.value("message", ""), cli.at(name).value("message", "")) << name;
    EXPECT_EQ(in_cluster.value("properties", json::object()),
              cli.at(name).value("properties", json::object()))
        << name;
  }

  // The tag moves to an unsigned image: caught at the next check, within the recheck period.
  signer_->PushRandom(host_ + "/moving:v1");
  EXPECT_TRUE(WaitResult(policy, "moving", "fail", "no signature"));

  // The key is rotated in its Secret: what the old key signed fails, what the new one signed
  // passes.
  WriteKeySecret("other");
  EXPECT_TRUE(
      WaitResult(policy, "bundle", "fail", "signature does not verify with keys [release]"));
  EXPECT_TRUE(WaitResult(policy, "other", "pass", ""));

  // The registry goes down: an error, never a pass.
  registry_.reset();
  EXPECT_TRUE(WaitResult(policy, "other", "error", "registry unreachable"));
}

TEST_F(OperatorSignatureTest, PrivateImagesAreReadWithTheWorkloadsPullSecret) {
  const std::string password = "pw1";
  auto secured = std::make_unique<RegistryProcess>(
      *bin_, RegistryConfig{.htpasswd = "alice:" + registry::testing::BcryptHash(password) + "\n"});
  ASSERT_EQ(secured->error(), "");
  const std::string host = secured->host();
  const std::string config =
      json{{"auths", {{host, {{"auth", kube::EncodeBase64("alice:" + password)}}}}}}.dump();
  signer_->WriteDockerConfig(config);
  const std::string digest = signer_->PushRandom(host + "/private:v1");
  signer_->Sign(host + "/private@" + digest, "release");
  CommandResult secret = Kubectl({"-n", ns(), "create", "secret", "generic", "regcred",
                                  "--type=kubernetes.io/dockerconfigjson",
                                  "--from-literal=.dockerconfigjson=" + config});
  ASSERT_EQ(secret.exit_code, 0) << secret;

  Create(Deployment("with-secret", host + "/private:v1", {"regcred"}));
  Create(Deployment("without", host + "/private:v1"));
  const std::string policy = CreatePolicy("e2e-sig", Spec(InlineKey()));
  Start({"--insecure-registries", host});

  EXPECT_TRUE(WaitResult(policy, "with-secret", "pass", ""));
  // Without credentials the registry refuses: an error naming it, not a fail or a pass.
  EXPECT_TRUE(WaitResult(policy, "without", "error", "registry " + host));
  EXPECT_TRUE(Contains(Result(policy, "without").value("message", ""), "401"));
}

TEST_F(OperatorSignatureTest, AdmissionRefusesAnUnsignedImage) {
  const std::string signed_digest = signer_->PushRandom(host_ + "/app:signed");
  signer_->Sign(host_ + "/app@" + signed_digest, "release");
  signer_->PushRandom(host_ + "/app:unsigned");
  const std::string policy = CreatePolicy("e2e-sig", Spec(InlineKey(), "Deny"));
  Start();

  // Until the webhook is called, an unsigned Deployment may still be admitted (dry run only).
  CommandResult refused;
  const json unsigned_deployment = Deployment("unsigned", host_ + "/app:unsigned");
  ASSERT_TRUE(Eventually(
      [&] {
        refused = Kubectl({"create", "-n", ns(), "--dry-run=server", "-f", "-"},
                          unsigned_deployment.dump());
        return refused.exit_code != 0;
      },
      kFollows))
      << refused;
  EXPECT_TRUE(Contains(refused.err, "policy \"" + policy + "\": " + kRule + ": container \"app\""))
      << refused.err;
  EXPECT_TRUE(Contains(refused.err, "no signature")) << refused.err;
  CommandResult admitted = Kubectl({"create", "-n", ns(), "-f", "-"},
                                   Deployment("signed", host_ + "/app:signed").dump());
  EXPECT_EQ(admitted.exit_code, 0) << admitted;
}

}  // namespace
}  // namespace csp::e2e
