// The library's own Ed25519 arithmetic (needed for Ed25519ph, which OpenSSL 3.0 lacks), held to
// OpenSSL's pure Ed25519 and to RFC 8032's Ed25519ph test vector.
#include "ed25519ph.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "digest.h"

namespace csp::signature::internal {
namespace {

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
  const std::string seed = Unhex(kSeed), pub = Unhex(kPublic), sig = Unhex(kSignature);
  EXPECT_EQ(Hex(Ed25519PublicKey(seed)), kPublic);
  EXPECT_EQ(Hex(SignEd25519(seed, kEd25519phDom, Sha512("abc"))), kSignature);
  EXPECT_TRUE(VerifyEd25519(pub, kEd25519phDom, Sha512("abc"), sig));
  EXPECT_FALSE(VerifyEd25519(pub, kEd25519phDom, Sha512("abd"), sig));
  EXPECT_FALSE(VerifyEd25519(pub, "", Sha512("abc"), sig)) << "ph is not pure";
}

// Pure Ed25519 is deterministic: our signature must equal OpenSSL's byte for byte, and ours must
// accept OpenSSL's, for a few random keys and messages.
TEST(Ed25519phTest, PureModeAgreesWithOpenSsl) {
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
    std::string openssl_sig(64, '\0');
    size_t size = 64;
    ASSERT_EQ(
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(openssl_sig.data()), &size,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()),
        1);
    EXPECT_EQ(Ed25519PublicKey(seed), pub);
    EXPECT_EQ(Hex(SignEd25519(seed, "", message)), Hex(openssl_sig));
    EXPECT_TRUE(VerifyEd25519(pub, "", message, openssl_sig));
    std::string flipped = openssl_sig;
    flipped[i] = static_cast<char>(flipped[i] ^ 1);
    EXPECT_FALSE(VerifyEd25519(pub, "", message, flipped));
  }
}

TEST(Ed25519phTest, RefusesMalformedInput) {
  const std::string pub = Unhex(kPublic), sig = Unhex(kSignature), m = Sha512("abc");
  EXPECT_FALSE(VerifyEd25519(pub.substr(1), kEd25519phDom, m, sig));
  EXPECT_FALSE(VerifyEd25519(pub, kEd25519phDom, m, sig.substr(1)));
  // S + L: the same point equation, but S is not reduced (RFC 8032 section 5.1.7 step 1).
  std::string unreduced = sig;
  unreduced[63] = static_cast<char>(unreduced[63] | 0xF0);
  EXPECT_FALSE(VerifyEd25519(pub, kEd25519phDom, m, unreduced));
  // y = p (non-canonical) does not decode.
  std::string bad_key = Unhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  EXPECT_FALSE(VerifyEd25519(bad_key, kEd25519phDom, m, sig));
}

}  // namespace
}  // namespace csp::signature::internal
