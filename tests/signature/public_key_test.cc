#include "csp/signature/public_key.h"

#include <gtest/gtest.h>

#include "test_keys.h"

namespace csp::signature {
namespace {

using testing::Scheme;
using testing::TestKey;

struct KeyCase {
  const char* kind = "";
  KeyType type = KeyType::kEcdsaP256;
};
void PrintTo(const KeyCase& c, std::ostream* os) { *os << c.kind; }

class PublicKeyTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(PublicKeyTest, VerifiesWhatCosignSigns) {
  const TestKey signer = TestKey::Generate(GetParam().kind);
  const TestKey other = TestKey::Generate(GetParam().kind);
  Result<PublicKey> key = ParsePublicKey(signer.PublicPem());
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), GetParam().type);
  const std::string message = "{\"critical\":{}}";
  for (Scheme scheme : {Scheme::kDefault, Scheme::kAlternative}) {
    const std::string sig = signer.Sign(message, scheme);
    EXPECT_TRUE(Verify(*key, message, sig));
    EXPECT_FALSE(Verify(*key, message + " ", sig)) << "tampered message";
    std::string flipped = sig;
    flipped[sig.size() / 2] = static_cast<char>(flipped[sig.size() / 2] ^ 0x01);
    EXPECT_FALSE(Verify(*key, message, flipped)) << "tampered signature";
    EXPECT_FALSE(Verify(*key, message, other.Sign(message, scheme))) << "another key's";
    EXPECT_FALSE(Verify(*key, message, "")) << "empty";
  }
  const PublicKey copy = *key;  // copies share the key
  EXPECT_TRUE(Verify(copy, message, signer.Sign(message)));
}

INSTANTIATE_TEST_SUITE_P(Keys, PublicKeyTest,
                         ::testing::Values(KeyCase{"p256", KeyType::kEcdsaP256},
                                           KeyCase{"p384", KeyType::kEcdsaP384},
                                           KeyCase{"rsa", KeyType::kRsa},
                                           KeyCase{"ed25519", KeyType::kEd25519}),
                         [](const auto& info) { return std::string(info.param.kind); });

TEST(PublicKeyDigestTest, VerifiesSha256Digests) {
  const std::string digest(32, '\x5a');
  for (const char* kind : {"p256", "p384", "rsa"}) {
    const TestKey signer = TestKey::Generate(kind);
    Result<PublicKey> key = ParsePublicKey(signer.PublicPem());
    ASSERT_TRUE(key);
    EXPECT_TRUE(VerifySha256Digest(*key, digest, signer.SignSha256Digest(digest))) << kind;
    EXPECT_FALSE(VerifySha256Digest(*key, std::string(32, '\x5b'), signer.SignSha256Digest(digest)))
        << kind;
  }
  Result<PublicKey> ed = ParsePublicKey(TestKey::Generate("ed25519").PublicPem());
  ASSERT_TRUE(ed);
  EXPECT_FALSE(VerifySha256Digest(*ed, digest, std::string(64, '\0')));
}

struct RefusedCase {
  const char* name = "";
  std::string pem = {};
  const char* error_has = "";
};
void PrintTo(const RefusedCase& c, std::ostream* os) { *os << c.name; }

class RefusedKeyTest : public ::testing::TestWithParam<RefusedCase> {};

TEST_P(RefusedKeyTest, SaysWhy) {
  Result<PublicKey> key = ParsePublicKey(GetParam().pem);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, Code::kInvalidArgument);
  EXPECT_NE(key.error().message.find(GetParam().error_has), std::string::npos)
      << key.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Keys, RefusedKeyTest,
    ::testing::Values(
        RefusedCase{"p521", TestKey::Generate("p521").PublicPem(), "unsupported ECDSA curve"},
        RefusedCase{"rsa1024", TestKey::Generate("rsa1024").PublicPem(), "1024 bits is too short"},
        RefusedCase{"x25519", TestKey::Generate("x25519").PublicPem(), "unsupported key type"},
        RefusedCase{"empty", "", "no PEM block"}, RefusedCase{"not_pem", "hello", "no PEM block"},
        RefusedCase{"certificate", "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
                    "want \"PUBLIC KEY\""},
        RefusedCase{"pkcs1_rsa",
                    "-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n",
                    "want \"PUBLIC KEY\""},
        RefusedCase{"bad_der", "-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n",
                    "invalid SubjectPublicKeyInfo"},
        RefusedCase{"oversize", std::string(65 << 10, 'A'), "exceeds 65536"},
        // The neutral point (small order): with it, R = neutral and S = 0 "verify" any message
        // under OpenSSL's pure Ed25519. No honest key is one.
        RefusedCase{"ed25519_small_order",
                    "-----BEGIN PUBLIC KEY-----\n"
                    "MCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                    "-----END PUBLIC KEY-----\n",
                    "not a valid Ed25519 point"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace csp::signature
