#include "csp/signature/public_key.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "csp/common/base64.h"
#include "digest.h"
#include "ed25519ph.h"
#include "spki.h"

namespace csp::signature {

struct PublicKey::Key {
  std::shared_ptr<EVP_PKEY> pkey;
  KeyType type = KeyType::kEcdsaP256;
  int bits = 0;
  std::string hint = {};
  std::string raw = {};  // Ed25519 only: the 32-byte key
};

namespace {

inline constexpr size_t kMaxPemBytes = 64 << 10;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

// Leaves OpenSSL's thread-local error queue empty, so a failure here never becomes the reason
// of an unrelated later call.
struct ClearErrors {
  ~ClearErrors() { ERR_clear_error(); }
};

std::string OpenSslReason() {
  const unsigned long e = ERR_peek_last_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  return reason != nullptr ? std::string(": ") + reason : std::string();
}

// The first PEM block's type and DER bytes.
Result<std::pair<std::string, std::string>> FirstPemBlock(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Internal("BIO_new_mem_buf failed");
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &size) != 1) {
    return InvalidArgument("public key: no PEM block found" + OpenSslReason());
  }
  std::pair<std::string, std::string> block(name, std::string(reinterpret_cast<char*>(data), size));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return block;
}

// DER SubjectPublicKeyInfo of a DER certificate's subject key.
Result<std::string> CertificateSpki(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  if (!cert) return InvalidArgument("certificate: invalid DER" + OpenSslReason());
  unsigned char* spki = nullptr;
  const int size = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &spki);
  if (size <= 0) return InvalidArgument("certificate: no subject public key" + OpenSslReason());
  std::string out(reinterpret_cast<char*>(spki), static_cast<std::size_t>(size));
  OPENSSL_free(spki);
  return out;
}

Result<KeyType> TypeOf(EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t length = 0;
      if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                         &length) != 1) {
        return InvalidArgument("public key: ECDSA key without a named curve");
      }
      const std::string_view name(group, length);
      if (name == "prime256v1") return KeyType::kEcdsaP256;
      if (name == "secp384r1") return KeyType::kEcdsaP384;
      return InvalidArgument("public key: unsupported ECDSA curve " + std::string(name) +
                             " (want P-256 or P-384)");
    }
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(pkey) < 2048) {
        return InvalidArgument("public key: RSA key of " + std::to_string(EVP_PKEY_get_bits(pkey)) +
                               " bits is too short (want >= 2048)");
      }
      return KeyType::kRsa;
    case EVP_PKEY_ED25519:
      return KeyType::kEd25519;
    default:
      return InvalidArgument(std::string("public key: unsupported key type ") +
                             OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)) +
                             " (want ECDSA P-256/P-384, RSA or Ed25519)");
  }
}

bool DigestVerify(EVP_PKEY* pkey, const EVP_MD* md, int rsa_padding, std::string_view message,
                  std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) return false;
  if (rsa_padding == RSA_PKCS1_PSS_PADDING &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, rsa_padding) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

bool PrehashVerify(EVP_PKEY* pkey, int rsa_padding, std::string_view digest,
                   std::string_view signature) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(pkey, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1) {
    return false;
  }
  if (rsa_padding != 0 &&
      (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), rsa_padding) != 1 ||
       (rsa_padding == RSA_PKCS1_PSS_PADDING &&
        EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_AUTO) != 1))) {
    return false;
  }
  return EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), reinterpret_cast<const unsigned char*>(digest.data()),
                         digest.size()) == 1;
}

}  // namespace

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "ecdsa-p256";
    case KeyType::kEcdsaP384:
      return "ecdsa-p384";
    case KeyType::kRsa:
      return "rsa";
    case KeyType::kEd25519:
      return "ed25519";
  }
  return "unknown";
}

KeyType PublicKey::type() const { return key_->type; }
int PublicKey::bits() const { return key_->bits; }
const std::string& PublicKey::hint() const { return key_->hint; }

Result<PublicKey> ParsePublicKey(std::string_view pem) {
  ClearErrors clear;
  if (pem.size() > kMaxPemBytes) {
    return InvalidArgument("public key: PEM text of " + std::to_string(pem.size()) +
                           " bytes exceeds " + std::to_string(kMaxPemBytes));
  }
  CSP_TRY(auto block, FirstPemBlock(pem));
  const auto& [name, der] = block;
  if (name != "PUBLIC KEY") {
    return InvalidArgument("public key: PEM block is \"" + name +
                           "\", want \"PUBLIC KEY\" (SubjectPublicKeyInfo)");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::shared_ptr<EVP_PKEY> pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())),
                                 EVP_PKEY_free);
  if (!pkey) return InvalidArgument("public key: invalid SubjectPublicKeyInfo" + OpenSslReason());
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return InvalidArgument("public key: trailing bytes after SubjectPublicKeyInfo");
  }
  CSP_TRY(KeyType type, TypeOf(pkey.get()));
  auto key = std::make_shared<PublicKey::Key>();
  key->type = type;
  key->bits = EVP_PKEY_get_bits(pkey.get());
  key->hint = EncodeBase64(internal::Sha256(der));
  if (type == KeyType::kEd25519) {
    key->raw.resize(32);
    size_t size = key->raw.size();
    if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(key->raw.data()),
                                    &size) != 1 ||
        size != 32) {
      return InvalidArgument("public key: Ed25519 key without 32 raw bytes");
    }
    if (!internal::IsValidEd25519Key(key->raw)) {
      return InvalidArgument(
          "public key: not a valid Ed25519 point (small order or not canonical); no signer has "
          "such a key");
    }
  }
  key->pkey = std::move(pkey);
  return PublicKey(std::move(key));
}

bool Verify(const PublicKey& key, std::string_view message, std::string_view signature) {
  ClearErrors clear;
  EVP_PKEY* pkey = key.key().pkey.get();
  switch (key.type()) {
    case KeyType::kEcdsaP256:
      return DigestVerify(pkey, EVP_sha256(), 0, message, signature);
    case KeyType::kEcdsaP384:
      return DigestVerify(pkey, EVP_sha384(), 0, message, signature) ||
             DigestVerify(pkey, EVP_sha256(), 0, message, signature);
    case KeyType::kRsa:
      return DigestVerify(pkey, EVP_sha256(), RSA_PKCS1_PADDING, message, signature) ||
             DigestVerify(pkey, EVP_sha256(), RSA_PKCS1_PSS_PADDING, message, signature);
    case KeyType::kEd25519:
      return internal::VerifyEd25519ph(key.key().raw, message, signature) ||
             DigestVerify(pkey, nullptr, 0, message, signature);
  }
  return false;
}

bool VerifySha256Digest(const PublicKey& key, std::string_view sha256, std::string_view signature) {
  ClearErrors clear;
  if (sha256.size() != 32) return false;
  EVP_PKEY* pkey = key.key().pkey.get();
  switch (key.type()) {
    case KeyType::kEcdsaP256:
    case KeyType::kEcdsaP384:
      return PrehashVerify(pkey, 0, sha256, signature);
    case KeyType::kRsa:
      return PrehashVerify(pkey, RSA_PKCS1_PADDING, sha256, signature) ||
             PrehashVerify(pkey, RSA_PKCS1_PSS_PADDING, sha256, signature);
    case KeyType::kEd25519:
      return false;
  }
  return false;
}

namespace internal {

Result<std::string> SpkiSha256OfPem(std::string_view pem) {
  ClearErrors clear;
  if (pem.size() > kMaxPemBytes) return InvalidArgument("PEM text too large");
  CSP_TRY(auto block, FirstPemBlock(pem));
  const auto& [name, der] = block;
  if (name == "PUBLIC KEY") return Sha256(der);
  if (name == "CERTIFICATE") {
    CSP_TRY(std::string spki, CertificateSpki(der));
    return Sha256(spki);
  }
  return InvalidArgument("PEM block is \"" + name + "\", want PUBLIC KEY or CERTIFICATE");
}

}  // namespace internal
}  // namespace csp::signature
