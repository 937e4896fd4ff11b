// Test support: the token server of distribution's token auth, for a registry started with
// RegistryConfig::token_*. It answers GET /token?service=..&scope=.. for one user (Basic auth)
// with an ES256 JWT granting exactly the requested scopes, signed by a self-signed certificate
// it sends in the x5c header (the registry trusts that certificate as its root bundle).
#pragma once

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "csp/certs/certificates.h"
#include "csp/kube/base64.h"
#include "scripted_server.h"

namespace csp::registry::testing {

inline std::string Base64Url(std::string_view bytes) {
  std::string text = kube::EncodeBase64(bytes);
  for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

class TokenIssuer {
 public:
  static constexpr const char* kService = "csp-test-registry";
  static constexpr const char* kIssuer = "csp-test-issuer";

  TokenIssuer(std::string user, std::string password)
      : user_(std::move(user)),
        password_(std::move(password)),
        server_([this](const RawRequest& request, RawWriter& out) { Handle(request, out); }) {
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auto pair = certs::NewCa("csp-test-token-signer", now - std::chrono::hours(1),
                             now + std::chrono::hours(24));
    if (pair) signer_ = *pair;
  }

  const std::string& cert_pem() const { return signer_.cert_pem; }
  // By name: crane (go-containerregistry) refuses realms at private or loopback IP literals.
  std::string host() const { return "localhost:" + std::to_string(server_.port()); }
  std::string realm() const { return "http://" + host() + "/token"; }
  int tokens_issued() const { return issued_; }

 private:
  void Handle(const RawRequest& request, RawWriter& out) {
    auto auth = request.headers.find("authorization");
    if (auth == request.headers.end() ||
        auth->second != "Basic " + kube::EncodeBase64(user_ + ":" + password_)) {
      out.Respond(401, {{"Content-Type", "application/json"}}, R"({"details":"bad credentials"})");
      return;
    }
    nlohmann::json access = nlohmann::json::array();
    std::string query = request.target.substr(request.target.find('?') + 1);
    for (std::size_t start = 0; start <= query.size();) {
      std::size_t end = query.find('&', start);
      if (end == std::string::npos) end = query.size();
      std::string pair = Unescape(query.substr(start, end - start));
      if (pair.starts_with("scope=")) {
        // repository:<name>:<action>[,<action>]
        const std::string scope = pair.substr(6);
        const std::size_t first = scope.find(':');
        const std::size_t last = scope.rfind(':');
        nlohmann::json actions = nlohmann::json::array();
        std::string list = scope.substr(last + 1);
        for (std::size_t a = 0; a <= list.size();) {
          std::size_t comma = list.find(',', a);
          if (comma == std::string::npos) comma = list.size();
          actions.push_back(list.substr(a, comma - a));
          a = comma + 1;
        }
        access.push_back({{"type", scope.substr(0, first)},
                          {"name", scope.substr(first + 1, last - first - 1)},
                          {"actions", actions}});
      }
      start = end + 1;
    }
    const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    const nlohmann::json claims = {{"iss", kIssuer},
                                   {"sub", user_},
                                   {"aud", kService},
                                   {"exp", now + 300},
                                   {"nbf", now - 10},
                                   {"iat", now},
                                   {"jti", std::to_string(++issued_)},
                                   {"access", access}};
    out.Respond(200, {{"Content-Type", "application/json"}},
                nlohmann::json({{"token", Sign(claims.dump())}, {"expires_in", 300}}).dump());
  }

  static std::string Unescape(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '%' && i + 2 < text.size()) {
        out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += text[i] == '+' ? ' ' : text[i];
      }
    }
    return out;
  }

  std::string Sign(const std::string& payload) const {
    std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(
        BIO_new_mem_buf(signer_.cert_pem.data(), static_cast<int>(signer_.cert_pem.size())),
        BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr), X509_free);
    unsigned char* der = nullptr;
    const int der_size = i2d_X509(cert.get(), &der);
    const std::string cert_der(reinterpret_cast<char*>(der), static_cast<std::size_t>(der_size));
    OPENSSL_free(der);
    const nlohmann::json header = {
        {"alg", "ES256"}, {"typ", "JWT"}, {"x5c", {kube::EncodeBase64(cert_der)}}};
    const std::string input = Base64Url(header.dump()) + "." + Base64Url(payload);

    std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
        BIO_new_mem_buf(signer_.key_pem.data(), static_cast<int>(signer_.key_pem.size())),
        BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::size_t size = 0;
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get());
    EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string signature(size, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    // JWS wants r || s (32 bytes each), not OpenSSL's DER SEQUENCE.
    const unsigned char* p = reinterpret_cast<const unsigned char*>(signature.data());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(size)), ECDSA_SIG_free);
    unsigned char raw[64];
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + 32, 32);
    return input + "." + Base64Url(std::string(reinterpret_cast<char*>(raw), 64));
  }

  std::string user_;
  std::string password_;
  certs::KeyPair signer_;
  std::atomic<int> issued_{0};
  ScriptedServer server_;  // last: stops before the members its handler reads
};

}  // namespace csp::registry::testing
