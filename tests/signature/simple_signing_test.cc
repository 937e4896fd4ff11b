#include "csp/signature/simple_signing.h"

#include <gtest/gtest.h>

#include "cosign_like.h"

namespace csp::signature {
namespace {

const std::string kImage = "sha256:" + std::string(64, 'c');

TEST(ParseSimpleSigningPayloadTest, ReadsCosignsPayload) {
  Result<SimpleSigningPayload> p = ParseSimpleSigningPayload(testing::PayloadFor(kImage));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->docker_manifest_digest, kImage);
  EXPECT_EQ(p->docker_reference, "127.0.0.1:5000/app");
  EXPECT_TRUE(p->optional.is_null());
}

struct BadCase {
  const char* name = "";
  std::string payload = {};
  const char* error_has = "";
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }
class BadPayloadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadPayloadTest, IsRefusedClearly) {
  Result<SimpleSigningPayload> p = ParseSimpleSigningPayload(GetParam().payload, 1024);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find(GetParam().error_has), std::string::npos) << p.error().message;
}

std::string With(const char* from, const std::string& to) {
  std::string p = testing::PayloadFor(kImage);
  return p.replace(p.find(from), std::string_view(from).size(), to);
}

INSTANTIATE_TEST_SUITE_P(
    Payloads, BadPayloadTest,
    ::testing::Values(
        BadCase{"not_json", "critical", "payload: invalid JSON"},
        BadCase{"oversize", testing::PayloadFor(kImage) + std::string(1024, ' '),
                "exceed the limit of 1024"},
        BadCase{"other_type",
                With("cosign container image signature", "atomic container signature"),
                "payload.critical.type: \"atomic container signature\""},
        BadCase{"no_digest", With("docker-manifest-digest", "digest"),
                "payload.critical.image.docker-manifest-digest: missing"},
        BadCase{"digest_not_string", With(("\"" + kImage + "\"").c_str(), "7"),
                "docker-manifest-digest: not a string"},
        BadCase{"digest_sha512", With(kImage.c_str(), "sha512:" + std::string(128, 'c')),
                "digest algorithm \"sha512\""},
        BadCase{"no_identity", With("docker-reference", "ref"),
                "payload.critical.identity.docker-reference: missing"},
        BadCase{"no_critical", R"({"optional":{}})", "payload.critical: missing"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(VerifySimpleSigningLayerTest, NeedsTheSimpleSigningMediaTypeAndAnnotation) {
  const testing::TestKey key = testing::TestKey::Generate("p256");
  const std::vector<NamedKey> keys = {key.Named("k")};
  const std::string payload = testing::PayloadFor(kImage);
  Descriptor layer{.media_type = std::string(kSimpleSigningMediaType),
                   .digest = Sha256Digest(payload),
                   .size = static_cast<std::int64_t>(payload.size())};
  EXPECT_NE(VerifySimpleSigningLayer(layer, payload, kImage, keys).reason.find("has no"),
            std::string::npos);
  layer.annotations[std::string(kSignatureAnnotation)] = "***";
  EXPECT_NE(VerifySimpleSigningLayer(layer, payload, kImage, keys).reason.find("not base64"),
            std::string::npos);
  layer.media_type = "application/octet-stream";
  EXPECT_NE(VerifySimpleSigningLayer(layer, payload, kImage, keys).reason.find("media type"),
            std::string::npos);
}

}  // namespace
}  // namespace csp::signature
