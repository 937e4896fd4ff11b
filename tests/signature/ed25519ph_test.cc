// Ed25519ph verification (libsodium's, as OpenSSL 3.0 lacks it), held to RFC 8032's test vector,
// to OpenSSL's Ed25519 keys and pure signatures, and to the inputs it must refuse.
#include "ed25519ph.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "digest.h"
#include "test_keys.h"

namespace csp::signature::internal {
namespace {

using testing::SignEd25519ph;

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// RFC 8032 section 7.3, test 1 ("abc").
constexpr std::string_view kSeed =
    "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42";
constexpr std::string_view kPublic =
    "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf";
constexpr std::string_view kSignature =
    "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
    "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406";

TEST(Ed25519phTest, MatchesRfc8032Vector) {
  const std::string pub = Unhex(kPublic), sig = Unhex(kSignature);
  EXPECT_TRUE(VerifyEd25519ph(pub, "abc", sig));
  EXPECT_FALSE(VerifyEd25519ph(pub, "abd", sig));
  // The tests' signer makes the same bytes, so the signatures the other tests verify are Ed25519ph.
  EXPECT_EQ(Hex(SignEd25519ph(Unhex(kSeed), "abc")), kSignature);
}

// OpenSSL's raw Ed25519 keys are what libsodium takes, and a pure Ed25519 signature (OpenSSL's)
// of the same message is not an Ed25519ph one.
TEST(Ed25519phTest, TakesOpenSslKeysAndTellsPureFromPrehashed) {
  for (int i = 0; i < 8; ++i) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
    ASSERT_TRUE(key);
    std::string seed(32, '\0'), pub(32, '\0');
    size_t n = 32;
    ASSERT_EQ(
        EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(seed.data()), &n),
        1);
    ASSERT_EQ(
        EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(pub.data()), &n),
        1);
    const std::string message = "message " + std::to_string(i) + std::string(i * 37, 'x');
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    ASSERT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()), 1);
    std::string pure(64, '\0');
    size_t size = 64;
    ASSERT_EQ(
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(pure.data()), &size,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()),
        1);
    const std::string prehashed = SignEd25519ph(seed, message);
    EXPECT_TRUE(VerifyEd25519ph(pub, message, prehashed));
    EXPECT_FALSE(VerifyEd25519ph(pub, message, pure)) << "pure is not ph";
    std::string flipped = prehashed;
    flipped[i] = static_cast<char>(flipped[i] ^ 1);
    EXPECT_FALSE(VerifyEd25519ph(pub, message, flipped));
  }
}

TEST(Ed25519phTest, RefusesMalformedInput) {
  const std::string pub = Unhex(kPublic), sig = Unhex(kSignature);
  EXPECT_FALSE(VerifyEd25519ph(pub.substr(1), "abc", sig));
  EXPECT_FALSE(VerifyEd25519ph(pub + '\0', "abc", sig));
  EXPECT_FALSE(VerifyEd25519ph(pub, "abc", sig.substr(1)));
  EXPECT_FALSE(VerifyEd25519ph(pub, "abc", sig + '\0'));
  // S + L: the same point equation, but S is not reduced (RFC 8032 section 5.1.7 step 1).
  std::string unreduced = sig;
  unreduced[63] = static_cast<char>(unreduced[63] | 0xF0);
  EXPECT_FALSE(VerifyEd25519ph(pub, "abc", unreduced));
  // y = p (non-canonical) does not decode.
  const std::string bad_key =
      Unhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  EXPECT_FALSE(VerifyEd25519ph(bad_key, "abc", sig));
  // The neutral point as key: R = neutral, S = 0 satisfies [S]B = R + [k]A for every message,
  // a forgery a check without the small-order test would accept.
  const std::string neutral =
      Unhex("0100000000000000000000000000000000000000000000000000000000000000");
  EXPECT_FALSE(VerifyEd25519ph(neutral, "abc", neutral + std::string(32, '\0')));
}

}  // namespace
}  // namespace csp::signature::internal
