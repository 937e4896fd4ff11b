#include "test_keys.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <cstdlib>

#include "csp/signature/public_key.h"

namespace csp::signature::testing {
namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

EVP_PKEY* KeyGen(std::string_view kind) {
  if (kind == "p256") return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (kind == "p384") return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  if (kind == "p521") return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
  if (kind == "rsa") return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  if (kind == "rsa1024") return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
  if (kind == "ed25519") return EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (kind == "x25519") return EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  return nullptr;
}

std::string DigestSign(EVP_PKEY* pkey, const EVP_MD* md, int padding, std::string_view message) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  Check(ctx && EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey) == 1);
  if (padding != 0) Check(EVP_PKEY_CTX_set_rsa_padding(pctx, padding) == 1);
  size_t size = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(message.data());
  Check(EVP_DigestSign(ctx.get(), nullptr, &size, in, message.size()) == 1);
  std::string out(size, '\0');
  Check(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size, in,
                       message.size()) == 1);
  out.resize(size);
  return out;
}

}  // namespace

TestKey TestKey::Generate(std::string_view kind) {
  TestKey key;
  key.kind_ = std::string(kind);
  EVP_PKEY* pkey = KeyGen(kind);
  Check(pkey != nullptr);
  key.pkey_ =
      std::shared_ptr<void>(pkey, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
  return key;
}

std::string TestKey::PublicPem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  Check(bio && PEM_write_bio_PUBKEY(bio.get(), static_cast<EVP_PKEY*>(pkey_.get())) == 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string TestKey::Sign(std::string_view message, Scheme scheme) const {
  auto* pkey = static_cast<EVP_PKEY*>(pkey_.get());
  const bool alt = scheme == Scheme::kAlternative;
  if (kind_ == "p256") return DigestSign(pkey, EVP_sha256(), 0, message);
  if (kind_ == "p384" || kind_ == "p521") {
    return DigestSign(pkey, alt ? EVP_sha256() : EVP_sha384(), 0, message);
  }
  if (kind_ == "rsa" || kind_ == "rsa1024") {
    return DigestSign(pkey, EVP_sha256(), alt ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING, message);
  }
  if (kind_ == "ed25519") {
    if (alt) return DigestSign(pkey, nullptr, 0, message);
    std::string seed(32, '\0');
    size_t size = seed.size();
    Check(EVP_PKEY_get_raw_private_key(pkey, reinterpret_cast<unsigned char*>(seed.data()),
                                       &size) == 1);
    return SignEd25519ph(seed, message);
  }
  std::abort();
}

std::string TestKey::SignSha256Digest(std::string_view digest) const {
  auto* pkey = static_cast<EVP_PKEY*>(pkey_.get());
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(pkey, nullptr),
                                                                  EVP_PKEY_CTX_free);
  Check(ctx && EVP_PKEY_sign_init(ctx.get()) == 1 &&
        EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1);
  size_t size = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(digest.data());
  Check(EVP_PKEY_sign(ctx.get(), nullptr, &size, in, digest.size()) == 1);
  std::string out(size, '\0');
  Check(EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size, in,
                      digest.size()) == 1);
  out.resize(size);
  return out;
}

std::string SignEd25519ph(std::string_view seed, std::string_view message) {
  Check(seed.size() == crypto_sign_SEEDBYTES && sodium_init() >= 0);
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES], secret_key[crypto_sign_SECRETKEYBYTES];
  Check(crypto_sign_seed_keypair(public_key, secret_key,
                                 reinterpret_cast<const unsigned char*>(seed.data())) == 0);
  crypto_sign_state state;
  std::string signature(crypto_sign_BYTES, '\0');
  Check(crypto_sign_init(&state) == 0 &&
        crypto_sign_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                           message.size()) == 0 &&
        crypto_sign_final_create(&state, reinterpret_cast<unsigned char*>(signature.data()),
                                 nullptr, secret_key) == 0);
  return signature;
}

NamedKey TestKey::Named(std::string name) const {
  Result<PublicKey> key = ParsePublicKey(PublicPem());
  Check(key.has_value());
  return NamedKey{std::move(name), *key};
}

}  // namespace csp::signature::testing
