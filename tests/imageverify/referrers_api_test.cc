// The verifier over the real registry client against a registry WITH the OCI referrers API
// (hack/referrers-registry): cosign v3 writes its bundle as a referrer of the image and no
// fallback tag there, so the bundle can only be found through GET /v2/<repo>/referrers/<digest>.
// Images pushed by crane, signed by real cosign; skipped without the test-tools cache.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "csp/imageverify/verifier.h"
#include "csp/kube/clock.h"
#include "csp/registry/client.h"
#include "csp/registry/digest.h"
#include "csp/registry/media_types.h"
#include "csp/signature/public_key.h"
#include "csp/signature/sigstore_bundle.h"
#include "manifest_writer.h"
#include "signed_images.h"

namespace csp::imageverify {
namespace {

using json = nlohmann::json;
using policy::SignatureVerdict;

class ReferrersApiTest : public testing::SignedImagesTest {
 protected:
  void SetUp() override {
    SignedImagesTest::SetUp();
    if (IsSkipped()) return;
    if (!std::filesystem::exists(*bin_ / "referrers-registry")) {
      GTEST_SKIP() << "no referrers-registry in " << bin_->string()
                   << " (run hack/build-test-tools.sh)";
    }
    registry_ = Start({.referrers_api = true});
    host_ = registry_->host();
    registry::ClientOptions options;
    options.insecure_hosts[host_] = registry::HostSecurity::kPlainHttp;
    options.timeout = std::chrono::seconds(20);
    auto client = registry::Client::New(std::move(options));
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
    source_ = NewRegistrySource(*client_);
    verifier_ = std::make_unique<Verifier>(*source_, kube::SteadyClock());
  }

  VerifyResult Verify(const std::string& image, const std::string& key_name) {
    auto key = signature::ParsePublicKey(csp::test::ReadText(dir_.path() / (key_name + ".pub")));
    EXPECT_TRUE(key) << key.error().message;
    const std::vector<signature::NamedKey> keys = {{.name = key_name, .key = *key}};
    return verifier_->Verify(image, keys);
  }

  // The referrers of `digest` in app, which must come from the referrers API (one page).
  json ReferrersFromTheApi(const std::string& digest) {
    auto got = client_->GetReferrers(Repo(), digest, "");
    EXPECT_TRUE(got) << got.error().message;
    if (!got) return {};
    EXPECT_FALSE(got->from_fallback_tag);
    EXPECT_EQ(got->pages.size(), 1u);
    return got->pages.empty() ? json() : json::parse(got->pages[0].bytes)["manifests"];
  }

  void ExpectNoFallbackTag(const std::string& digest) {
    auto tag = client_->GetTag(Repo(), registry::FallbackReferrersTag(digest));
    ASSERT_TRUE(tag) << tag.error().message;
    EXPECT_FALSE(*tag);
  }

  registry::Reference Repo() { return *registry::ParseReference(host_ + "/app"); }

  std::unique_ptr<registry::testing::RegistryProcess> registry_;
  std::string host_;
  std::unique_ptr<registry::Client> client_;
  std::unique_ptr<SignatureSource> source_;
  std::unique_ptr<Verifier> verifier_;
};

TEST_F(ReferrersApiTest, BundleFoundThroughTheReferrersApiVerifies) {
  const std::string digest = PushRandom(host_ + "/app:v1");
  Sign(host_ + "/app@" + digest, "release");

  const json referrers = ReferrersFromTheApi(digest);
  ASSERT_EQ(referrers.size(), 1u) << referrers;
  // go-containerregistry lists the config's media type, not the bundle's artifactType: the
  // verifier reads the manifest to tell (registry_source.cc).
  EXPECT_EQ(referrers[0]["artifactType"], "application/vnd.oci.empty.v1+json");
  ExpectNoFallbackTag(digest);

  VerifyResult r = Verify(host_ + "/app:v1", "release");
  EXPECT_EQ(r.verdict, SignatureVerdict::kVerified) << r.detail;
  EXPECT_EQ(r.digest, digest);
  EXPECT_EQ(r.key_name, "release");
  EXPECT_EQ(r.verified_layout, Layout::kBundle);
  EXPECT_TRUE(r.bundle_found);
  EXPECT_FALSE(r.legacy_found);
}

TEST_F(ReferrersApiTest, SignedByAnotherKeyFails) {
  const std::string digest = PushRandom(host_ + "/app:v1");
  Sign(host_ + "/app@" + digest, "other");
  ExpectNoFallbackTag(digest);
  VerifyResult r = Verify(host_ + "/app@" + digest, "release");
  EXPECT_EQ(r.verdict, SignatureVerdict::kNotSigned);
  EXPECT_EQ(r.detail, "signature does not verify with keys [release]");
  EXPECT_TRUE(r.bundle_found);
}

TEST_F(ReferrersApiTest, UnsignedImageFails) {
  const std::string digest = PushRandom(host_ + "/app:v1");
  EXPECT_EQ(ReferrersFromTheApi(digest), json::array());
  VerifyResult r = Verify(host_ + "/app:v1", "release");
  EXPECT_EQ(r.verdict, SignatureVerdict::kNotSigned);
  EXPECT_EQ(r.detail, "no signature");
  EXPECT_EQ(r.digest, digest);
  EXPECT_FALSE(r.bundle_found);
}

TEST_F(ReferrersApiTest, MultiArchIndexIsVerifiedAtTheIndexDigest) {
  const std::string a = PushRandom(host_ + "/app:amd64");
  const std::string b = PushRandom(host_ + "/app:arm64");
  Tool("crane", {"index", "append", "--insecure", "-m", host_ + "/app@" + a, "-m",
                 host_ + "/app@" + b, "-t", host_ + "/app:multi"});
  const std::string index = Tool("crane", {"digest", "--insecure", host_ + "/app:multi"});
  Sign(host_ + "/app@" + index, "release");
  EXPECT_EQ(ReferrersFromTheApi(index).size(), 1u);
  ExpectNoFallbackTag(index);

  VerifyResult r = Verify(host_ + "/app:multi", "release");
  EXPECT_EQ(r.verdict, SignatureVerdict::kVerified) << r.detail;
  EXPECT_EQ(r.digest, index);
  // A platform image is not covered by the index's signature.
  EXPECT_EQ(Verify(host_ + "/app@" + a, "release").verdict, SignatureVerdict::kNotSigned);
}

// 10,000 bundle referrers (the issue's hostile case) from a real referrers API: one index of
// about 2.6 MB, within the client's 4 MiB manifest limit, so the bound that applies is the
// source's count of bundles it will verify. The answer is an error, not a partial verdict.
TEST_F(ReferrersApiTest, TenThousandBundleReferrersAreABoundedError) {
  const std::string digest = PushRandom(host_ + "/app:v1");
  const std::string subject = R"({"mediaType":")" + std::string(registry::kOciManifest) +
                              R"(","digest":")" + digest + R"(","size":401})";
  std::vector<std::string> referrers;
  for (int i = 0; i < 10000; ++i) {
    referrers.push_back(
        R"({"schemaVersion":2,"mediaType":")" + std::string(registry::kOciManifest) +
        R"(","artifactType":")" + std::string(signature::kBundleMediaTypeV03) +
        R"(","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":")" +
        registry::Sha256Digest("{}") + R"(","size":2},"layers":[{"mediaType":")" +
        std::string(signature::kBundleMediaTypeV03) + R"(","digest":")" +
        registry::Sha256Digest(std::to_string(i)) + R"(","size":1000}],"subject":)" + subject +
        "}");
  }
  ASSERT_EQ(registry::testing::PutManifests(host_, "app", referrers, registry::kOciManifest), "");
  EXPECT_EQ(ReferrersFromTheApi(digest).size(), 10000u);

  VerifyResult r = Verify(host_ + "/app:v1", "release");
  EXPECT_EQ(r.verdict, SignatureVerdict::kError);
  EXPECT_EQ(r.detail, "registry " + host_ + ": 10000 signature bundles refer to " + digest +
                          " (at most 32 are verified)");
}

}  // namespace
}  // namespace csp::imageverify
