#include "csp/registry/digest.h"

#include <openssl/evp.h>

namespace csp::registry {
namespace {

std::string Hex(const unsigned char* data, unsigned int size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xf];
  }
  return out;
}

std::string HexHash(const EVP_MD* md, std::string_view bytes) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), hash, &size, md, nullptr) != 1) return {};
  return Hex(hash, size);
}

}  // namespace

std::string Sha256Digest(std::string_view bytes) {
  return "sha256:" + HexHash(EVP_sha256(), bytes);
}

Status VerifyDigest(std::string_view digest, std::string_view bytes) {
  const std::size_t colon = digest.find(':');
  const std::string_view algorithm = digest.substr(0, colon);
  const EVP_MD* md = algorithm == "sha256"   ? EVP_sha256()
                     : algorithm == "sha512" ? EVP_sha512()
                                             : nullptr;
  if (colon == std::string_view::npos || md == nullptr) {
    return InvalidArgument("unsupported digest \"" + std::string(digest) + "\"");
  }
  const std::string actual = std::string(algorithm) + ":" + HexHash(md, bytes);
  if (actual != digest) {
    return InvalidArgument("content has digest " + actual + ", expected " + std::string(digest));
  }
  return {};
}

std::string FallbackReferrersTag(std::string_view digest) {
  std::string tag(digest);
  if (const std::size_t colon = tag.find(':'); colon != std::string::npos) tag[colon] = '-';
  return tag;
}

std::string LegacySignatureTag(std::string_view digest) {
  return FallbackReferrersTag(digest) + ".sig";
}

}  // namespace csp::registry
