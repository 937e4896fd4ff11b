#include "csp/signature/oci_manifest.h"

#include <gtest/gtest.h>

namespace csp::signature {
namespace {

const std::string kD1 = "sha256:" + std::string(64, 'a');
const std::string kD2 = "sha256:" + std::string(64, 'b');

std::string Desc(const std::string& media_type, const std::string& digest, const char* extra = "") {
  return R"({"mediaType":")" + media_type + R"(","digest":")" + digest + R"(","size":12)" + extra +
         "}";
}

std::string OciManifest(const std::string& layers, const std::string& extra = "") {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":)" +
         Desc("application/vnd.oci.image.config.v1+json", kD1) + R"(,"layers":[)" + layers + "]" +
         extra + "}";
}

TEST(Sha256DigestTest, NamesBytesAsRegistriesDo) {
  EXPECT_EQ(Sha256Digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(ValidateDigest(Sha256Digest("x")));
}

struct DigestCase {
  const char* name = "";
  std::string digest = {};
  const char* error_has = "";  // "" when valid
};
void PrintTo(const DigestCase& c, std::ostream* os) { *os << c.name; }
class DigestTest : public ::testing::TestWithParam<DigestCase> {};

TEST_P(DigestTest, Validates) {
  Status s = ValidateDigest(GetParam().digest);
  if (*GetParam().error_has == '\0') {
    EXPECT_TRUE(s) << s.error().message;
  } else {
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find(GetParam().error_has), std::string::npos) << s.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Digests, DigestTest,
    ::testing::Values(DigestCase{"ok", kD1, ""},
                      DigestCase{"sha512", "sha512:" + std::string(128, 'a'), "not supported"},
                      DigestCase{"upper_hex", "sha256:" + std::string(64, 'A'), "0-9a-f"},
                      DigestCase{"short", "sha256:abc", "3 hex digits"},
                      DigestCase{"long", kD1 + "0", "65 hex digits"},
                      DigestCase{"no_prefix", std::string(64, 'a'), "no algorithm"},
                      DigestCase{"empty", "", "no algorithm"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ParseManifestTest, ReadsAnOciReferrer) {
  Result<Manifest> m = ParseManifest(
      OciManifest(
          Desc("application/vnd.dev.sigstore.bundle.v0.3+json", kD2, R"(,"annotations":{"a":"b"})"),
          R"(,"artifactType":"x/y","subject":)" +
              Desc("application/vnd.oci.image.manifest.v1+json", kD1) +
              R"(,"annotations":{"k":"v"})"),
      1 << 20);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, media_types::kOciManifest);
  EXPECT_EQ(m->artifact_type, "x/y");
  EXPECT_EQ(m->config.digest, kD1);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].digest, kD2);
  EXPECT_EQ(m->layers[0].size, 12);
  EXPECT_EQ(m->layers[0].annotations.at("a"), "b");
  ASSERT_TRUE(m->subject);
  EXPECT_EQ(m->subject->digest, kD1);
  EXPECT_EQ(m->annotations.at("k"), "v");
}

TEST(ParseManifestTest, ReadsDockerAndUntypedManifests) {
  std::string docker = OciManifest("");
  docker.replace(docker.find("application/vnd.oci.image.manifest.v1+json"),
                 std::string("application/vnd.oci.image.manifest.v1+json").size(),
                 media_types::kDockerManifest);
  EXPECT_TRUE(ParseManifest(docker, 1 << 20));
  std::string untyped = OciManifest("");
  untyped.replace(
      untyped.find(R"("mediaType":"application/vnd.oci.image.manifest.v1+json",)"),
      std::string(R"("mediaType":"application/vnd.oci.image.manifest.v1+json",)").size(), "");
  Result<Manifest> m = ParseManifest(untyped, 1 << 20);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, "");
}

TEST(ParseIndexTest, ReadsIndexesListsAndReferrers) {
  const std::string entries = "[" +
                              Desc("application/vnd.oci.image.manifest.v1+json", kD1,
                                   R"(,"artifactType":"application/x")") +
                              "]";
  const std::string oci =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":)" +
      entries + "}";
  const std::string docker = R"({"schemaVersion":2,"mediaType":")" +
                             std::string(media_types::kDockerManifestList) + R"(","manifests":)" +
                             entries + "}";
  Result<Index> index = ParseIndex(oci, 1 << 20);
  ASSERT_TRUE(index) << index.error().message;
  ASSERT_EQ(index->manifests.size(), 1u);
  EXPECT_EQ(index->manifests[0].artifact_type, "application/x");
  EXPECT_TRUE(ParseIndex(docker, 1 << 20));
  EXPECT_TRUE(ParseReferrers(oci, 1 << 20));
  Result<Index> list_as_referrers = ParseReferrers(docker, 1 << 20);
  ASSERT_FALSE(list_as_referrers);
  EXPECT_NE(list_as_referrers.error().message.find("unexpected mediaType"), std::string::npos);
  Result<Manifest> index_as_manifest = ParseManifest(oci, 1 << 20);
  ASSERT_FALSE(index_as_manifest);
  EXPECT_NE(index_as_manifest.error().message.find("unexpected mediaType"), std::string::npos);
}

struct BadCase {
  const char* name = "";
  std::string bytes = {};
  const char* error_has = "";
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }
class BadManifestTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadManifestTest, IsRefusedClearly) {
  Result<Manifest> m = ParseManifest(GetParam().bytes, 4096);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Code::kInvalidArgument);
  EXPECT_NE(m.error().message.find(GetParam().error_has), std::string::npos) << m.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Manifests, BadManifestTest,
    ::testing::Values(
        BadCase{"oversize", OciManifest("") + std::string(5000, ' '), "exceed the limit of 4096"},
        BadCase{"invalid_json", "{\"schemaVersion\":", "invalid JSON"},
        BadCase{"not_object", "[]", "not a JSON object"},
        BadCase{"deep", std::string(100, '[') + std::string(100, ']'), "nested deeper"},
        BadCase{"schema1", R"({"schemaVersion":1,"name":"x"})", "schemaVersion is not 2"},
        BadCase{"wrong_media_type",
                R"({"schemaVersion":2,"mediaType":"text/html","config":{},"layers":[]})",
                "unexpected mediaType \"text/html\""},
        BadCase{"media_type_not_string",
                R"({"schemaVersion":2,"mediaType":7,"config":{},"layers":[]})",
                "mediaType is not a string"},
        BadCase{"no_config", R"({"schemaVersion":2,"layers":[]})", "config: missing"},
        BadCase{"no_layers",
                OciManifest("").replace(OciManifest("").find(",\"layers\":[]"), 12, ""),
                "layers: missing"},
        BadCase{"layer_sha512", OciManifest(Desc("a/b", "sha512:" + std::string(128, 'a'))),
                "layers[0].digest: digest algorithm \"sha512\""},
        BadCase{"layer_no_media_type", OciManifest(R"({"digest":")" + kD1 + R"(","size":1})"),
                "layers[0].mediaType: missing"},
        BadCase{"negative_size",
                OciManifest(R"({"mediaType":"a/b","digest":")" + kD1 + R"(","size":-1})"),
                "size: negative"},
        BadCase{"string_size",
                OciManifest(R"({"mediaType":"a/b","digest":")" + kD1 + R"(","size":"1"})"),
                "size: missing or not an integer"},
        BadCase{"annotation_not_string", OciManifest(Desc("a/b", kD1, R"(,"annotations":{"a":1})")),
                "annotations[a]: not a string"},
        BadCase{"bad_subject", OciManifest("", R"(,"subject":{"mediaType":"a/b"})"),
                "subject.digest"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ParseIndexTest, RefusesAManifest) {
  Result<Index> index = ParseIndex(OciManifest(""), 1 << 20);
  ASSERT_FALSE(index);
  EXPECT_NE(index.error().message.find("unexpected mediaType"), std::string::npos)
      << index.error().message;
  Result<Index> no_list = ParseReferrers(R"({"schemaVersion":2})", 1 << 20);
  ASSERT_FALSE(no_list);
  EXPECT_NE(no_list.error().message.find("manifests: missing"), std::string::npos);
}

}  // namespace
}  // namespace csp::signature
