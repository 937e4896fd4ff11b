// Reading certificates back and verifying a leaf against a bundle of CAs.
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "csp/certs/certificates.h"
#include "x509.h"

namespace csp::certs {
namespace {

using internal::X509Ptr;

struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};

Result<CertInfo> Info(X509* cert) {
  if (internal::HasInvalidExtensions(cert)) {
    return InvalidArgument("certificate has invalid extensions");
  }
  return internal::InfoOf(cert);
}

}  // namespace

Result<CertInfo> ReadCert(std::string_view pem) {
  CSP_TRY(std::vector<X509Ptr> certs, internal::ParseCerts(pem));
  return Info(certs.front().get());
}

Result<std::vector<CertInfo>> ReadBundle(std::string_view pem) {
  CSP_TRY(std::vector<X509Ptr> certs, internal::ParseCerts(pem));
  std::vector<CertInfo> infos;
  for (const X509Ptr& cert : certs) {
    CSP_TRY(CertInfo info, Info(cert.get()));
    infos.push_back(std::move(info));
  }
  return infos;
}

Status KeyMatchesCert(std::string_view cert_pem, std::string_view key_pem) {
  CSP_TRY(std::vector<X509Ptr> certs, internal::ParseCerts(cert_pem));
  CSP_TRY(internal::PkeyPtr key, internal::ParseKey(key_pem));
  if (!internal::KeyMatches(certs.front().get(), key.get())) {
    return InvalidArgument("the key is not the certificate's");
  }
  return {};
}

Status VerifyChain(std::string_view leaf_pem, std::string_view ca_bundle_pem,
                   std::chrono::sys_seconds at) {
  CSP_TRY(std::vector<X509Ptr> leaf, internal::ParseCerts(leaf_pem));
  CSP_TRY(std::vector<X509Ptr> cas, internal::ParseCerts(ca_bundle_pem));
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!store || !ctx) return internal::OpenSslError(Code::kInternal, "X509_STORE");
  for (const X509Ptr& ca : cas) {
    if (X509_STORE_add_cert(store.get(), ca.get()) != 1) ERR_clear_error();  // a duplicate
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.front().get(), nullptr) != 1 ||
      X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER) != 1) {
    return internal::OpenSslError(Code::kInternal, "X509_STORE_CTX_init");
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, at.time_since_epoch().count());
  const int verified = X509_verify_cert(ctx.get());
  const int reason = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  if (verified != 1) {
    return Error{Code::kFailedPrecondition, std::string("certificate does not verify: ") +
                                                X509_verify_cert_error_string(reason)};
  }
  return {};
}

}  // namespace csp::certs
