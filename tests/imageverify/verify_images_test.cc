// `cspctl scan --verify-images` and `cspctl images` against a real distribution registry on
// loopback (plain HTTP; one with htpasswd basic auth), images pushed with crane and signed with
// cosign (hack/build-test-tools.sh). Distribution has no referrers API, so the v3 bundles are
// found through the fallback tag sha256-<hex>. Skipped without the test-tools cache.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "csp/kube/base64.h"
#include "signed_images.h"

namespace {

using csp::registry::testing::RegistryConfig;
using json = nlohmann::json;

class VerifyImagesTest : public csp::imageverify::testing::SignedImagesTest {
 protected:
  // A policy checking only rule 8, trusting the release key (so that the exit status is rule
  // 8's), and a Pod with one container per image (c0, c1, ...).
  void WriteInput(const std::vector<std::string>& images) {
    json controls = {{"imageSignature",
                      {{"enabled", true},
                       {"keys",
                        {{{"name", "release"},
                          {"publicKey", csp::test::ReadText(dir_.path() / "release.pub")}}}}}}};
    for (const char* other : {"privileged", "seccomp", "appArmor", "capabilities", "runAsNonRoot",
                              "runtimeSocket", "hostPath"}) {
      controls[other] = {{"enabled", false}};
    }
    json policy = {{"apiVersion", "containersecurity.dev/v1alpha1"},
                   {"kind", "ContainerSecurityPolicy"},
                   {"metadata", {{"name", "signed"}}},
                   {"spec", {{"controls", controls}}}};
    csp::test::WriteText(dir_.path() / "policy.json", policy.dump());
    json containers = json::array();
    for (std::size_t i = 0; i < images.size(); ++i) {
      containers.push_back({{"name", "c" + std::to_string(i)}, {"image", images[i]}});
    }
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", "web"}, {"namespace", "default"}}},
                {"spec", {{"containers", containers}}}};
    csp::test::WriteText(dir_.path() / "pod.json", pod.dump());
  }

  struct RuleOutcome {
    int exit_code = 0;
    std::string result = {};
    std::string message = {};
    json properties = {};
  };

  // cspctl scan -o json on the input; rule 8's result.
  RuleOutcome Scan(std::vector<std::string> flags) {
    std::vector<std::string> argv = {CSPCTL, "scan", "-o",
                                     "json", "-p",   (dir_.path() / "policy.json").string()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back((dir_.path() / "pod.json").string());
    auto r = csp::test::Run(argv, "", 300);
    RuleOutcome out{.exit_code = r.exit_code};
    json reports = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(reports.is_discarded()) << r;
    if (reports.is_discarded()) return out;
    for (const json& report : reports["items"]) {
      for (const json& result : report["results"]) {
        if (result["rule"] != "require-image-signature") continue;
        out.result = result["result"];
        out.message = result.value("message", "");
        out.properties = result.value("properties", json::object());
      }
    }
    return out;
  }

  RuleOutcome Verify(const std::string& host, std::vector<std::string> extra = {}) {
    std::vector<std::string> flags = {"--verify-images", "--insecure-registry", host};
    flags.insert(flags.end(), extra.begin(), extra.end());
    return Scan(flags);
  }
};

TEST_F(VerifyImagesTest, SignedInBothLayoutsPassesByTagAndByDigest) {
  auto registry = Start();
  const std::string host = registry->host();
  const std::string bundle = PushRandom(host + "/bundle:v1");
  const std::string legacy = PushRandom(host + "/legacy:v1");
  Sign(host + "/bundle@" + bundle, "release");
  Sign(host + "/legacy@" + legacy, "release", /*legacy=*/true);
  WriteInput({host + "/bundle:v1", host + "/legacy@" + legacy});

  RuleOutcome r = Verify(host);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.result, "pass") << r.message;
  EXPECT_EQ(r.properties.value("verifiedDigest.c0", ""), bundle);
  EXPECT_EQ(r.properties.value("verifiedDigest.c1", ""), legacy);

  // Offline (no flag) the keys stay unchecked.
  RuleOutcome offline = Scan({});
  EXPECT_EQ(offline.result, "skip");
  EXPECT_EQ(offline.exit_code, 0);

  // cspctl images names the layout and the key.
  auto images =
      csp::test::Run({CSPCTL, "images", "-o", "json", "--insecure-registry", host, "--key",
                      (dir_.path() / "release.pub").string(), (dir_.path() / "pod.json").string()},
                     "", 300);
  ASSERT_EQ(images.exit_code, 0) << images;
  json list = json::parse(images.out)["images"];
  ASSERT_EQ(list.size(), 2u) << images.out;
  EXPECT_EQ(list[0]["digest"], bundle);
  EXPECT_EQ(list[0]["signatures"], json::array({"bundle"}));
  EXPECT_EQ(list[0]["key"], "release");
  EXPECT_EQ(list[0]["layout"], "bundle");
  EXPECT_EQ(list[1]["signatures"], json::array({"legacy"}));
  EXPECT_EQ(list[1]["layout"], "legacy");
}

TEST_F(VerifyImagesTest, UnsignedFailsWithNoSignature) {
  auto registry = Start();
  const std::string host = registry->host();
  PushRandom(host + "/app:v1");
  WriteInput({host + "/app:v1"});
  RuleOutcome r = Verify(host);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.result, "fail");
  EXPECT_NE(r.message.find("no signature"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("container \"c0\""), std::string::npos) << r.message;

  auto images =
      csp::test::Run({CSPCTL, "images", "--insecure-registry", host, "--key",
                      (dir_.path() / "release.pub").string(), (dir_.path() / "pod.json").string()},
                     "", 300);
  EXPECT_EQ(images.exit_code, 1) << images;
  EXPECT_NE(images.out.find("none"), std::string::npos) << images.out;
}

TEST_F(VerifyImagesTest, SignedByAnotherKeyFails) {
  auto registry = Start();
  const std::string host = registry->host();
  const std::string digest = PushRandom(host + "/app:v1");
  Sign(host + "/app@" + digest, "other");
  Sign(host + "/app@" + digest, "other", /*legacy=*/true);
  WriteInput({host + "/app:v1"});
  RuleOutcome r = Verify(host);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.result, "fail");
  EXPECT_NE(r.message.find("signature does not verify with keys [release]"), std::string::npos)
      << r.message;
}

TEST_F(VerifyImagesTest, TagMovedToAnUnsignedImageFails) {
  auto registry = Start();
  const std::string host = registry->host();
  const std::string signed_digest = PushRandom(host + "/app:v1");
  Sign(host + "/app@" + signed_digest, "release");
  WriteInput({host + "/app:v1"});
  ASSERT_EQ(Verify(host).result, "pass");
  PushRandom(host + "/app:v1");  // the tag moves
  RuleOutcome r = Verify(host);
  EXPECT_EQ(r.result, "fail");
  EXPECT_NE(r.message.find("no signature"), std::string::npos) << r.message;
}

TEST_F(VerifyImagesTest, MultiArchIndexIsVerifiedAtTheIndexDigest) {
  auto registry = Start();
  const std::string host = registry->host();
  const std::string a = PushRandom(host + "/app:amd64");
  const std::string b = PushRandom(host + "/app:arm64");
  Tool("crane", {"index", "append", "--insecure", "-m", host + "/app@" + a, "-m",
                 host + "/app@" + b, "-t", host + "/app:multi"});
  const std::string index = Tool("crane", {"digest", "--insecure", host + "/app:multi"});
  ASSERT_NE(index, a);
  Sign(host + "/app@" + index, "release");
  WriteInput({host + "/app:multi"});
  RuleOutcome r = Verify(host);
  EXPECT_EQ(r.result, "pass") << r.message;
  EXPECT_EQ(r.properties.value("verifiedDigest.c0", ""), index);
}

TEST_F(VerifyImagesTest, RegistryDownIsAnError) {
  const std::string host = "127.0.0.1:" + std::to_string(csp::registry::testing::FreePort());
  WriteInput({host + "/app:v1"});
  RuleOutcome r = Verify(host);
  EXPECT_EQ(r.result, "error");
  EXPECT_NE(r.message.find("registry unreachable"), std::string::npos) << r.message;
  EXPECT_EQ(r.exit_code, 0);  // as without the flag: only fails set the exit status
}

TEST_F(VerifyImagesTest, BadCredentialsAreAnErrorNamingTheRegistry) {
  auto registry = Start(
      RegistryConfig{.htpasswd = "alice:" + csp::registry::testing::BcryptHash("pw1") + "\n"});
  const std::string host = registry->host();
  auto config = [&](const std::string& password) {
    return R"({"auths":{")" + host + R"(":{"auth":")" +
           csp::kube::EncodeBase64("alice:" + password) + R"("}}})";
  };
  signer_->WriteDockerConfig(config("pw1"));
  const std::string digest = PushRandom(host + "/app:v1");
  Sign(host + "/app@" + digest, "release");
  WriteInput({host + "/app:v1"});

  csp::test::WriteText(dir_.path() / "good.json", config("pw1"));
  RuleOutcome good = Verify(host, {"--registry-config", (dir_.path() / "good.json").string()});
  EXPECT_EQ(good.result, "pass") << good.message;

  csp::test::WriteText(dir_.path() / "bad.json", config("wrong"));
  RuleOutcome bad = Verify(host, {"--registry-config", (dir_.path() / "bad.json").string()});
  EXPECT_EQ(bad.result, "error");
  EXPECT_NE(bad.message.find("registry " + host), std::string::npos) << bad.message;
  EXPECT_NE(bad.message.find("401"), std::string::npos) << bad.message;
}

}  // namespace
