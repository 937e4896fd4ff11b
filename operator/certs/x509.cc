#include "x509.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <ctime>

namespace csp::certs::internal {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// A passphrase callback that has none: OpenSSL's default one would prompt on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

Result<BioPtr> ReadBio(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) {
    return InvalidArgument("PEM text of " + std::to_string(pem.size()) + " bytes exceeds " +
                           std::to_string(kMaxPemBytes));
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError(Code::kInternal, "BIO_new_mem_buf");
  return bio;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

std::chrono::sys_seconds ToSysSeconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  using namespace std::chrono;
  const sys_days day =
      year_month_day{year(tm.tm_year + 1900), month(tm.tm_mon + 1), std::chrono::day(tm.tm_mday)};
  return day + hours(tm.tm_hour) + minutes(tm.tm_min) + seconds(tm.tm_sec);
}

std::string Utf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int n = ASN1_STRING_to_UTF8(&out, s);
  if (n < 0) return {};
  std::string text(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return text;
}

std::string IpText(const ASN1_OCTET_STRING* ip) {
  char text[INET6_ADDRSTRLEN] = {};
  const unsigned char* bytes = ASN1_STRING_get0_data(ip);
  const int length = ASN1_STRING_length(ip);
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
  if (family == 0 || inet_ntop(family, bytes, text, sizeof text) == nullptr) {
    return "<invalid IP of " + std::to_string(length) + " bytes>";
  }
  return text;
}

}  // namespace

Error OpenSslError(Code code, std::string_view what) {
  std::string message(what);
  if (unsigned long e = ERR_peek_last_error(); e != 0) {
    const char* reason = ERR_reason_error_string(e);
    message += ": ";
    message += reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(e));
  }
  ERR_clear_error();
  return {code, std::move(message)};
}

Result<std::vector<X509Ptr>> ParseCerts(std::string_view pem) {
  ERR_clear_error();
  CSP_TRY(BioPtr bio, ReadBio(pem));
  std::vector<X509Ptr> certs;
  for (;;) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, &NoPassphrase, nullptr));
    if (cert) {
      certs.push_back(std::move(cert));
      continue;
    }
    const unsigned long e = ERR_peek_last_error();
    const bool at_end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
    if (at_end && !certs.empty()) break;
    if (at_end) {
      ERR_clear_error();
      return InvalidArgument("no PEM certificate found");
    }
    return OpenSslError(Code::kInvalidArgument,
                        "PEM certificate " + std::to_string(certs.size() + 1) + " is malformed");
  }
  ERR_clear_error();
  return certs;
}

Result<PkeyPtr> ParseKey(std::string_view pem) {
  ERR_clear_error();
  CSP_TRY(BioPtr bio, ReadBio(pem));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  if (!key) return OpenSslError(Code::kInvalidArgument, "no readable PEM private key");
  ERR_clear_error();
  return key;
}

Result<std::string> CertToPem(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError(Code::kInternal, "PEM_write_bio_X509");
  }
  return BioText(bio.get());
}

Result<std::string> KeyToPem(const EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError(Code::kInternal, "PEM_write_bio_PrivateKey");
  }
  return BioText(bio.get());
}

std::optional<std::string> CanonicalIp(const std::string& text) {
  if (text.find('\0') != std::string::npos) return std::nullopt;
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(text.c_str());
  ERR_clear_error();
  if (ip == nullptr) return std::nullopt;
  std::string canonical = IpText(ip);
  ASN1_OCTET_STRING_free(ip);
  return canonical;
}

bool HasInvalidExtensions(X509* cert) {
  const bool invalid = (X509_get_extension_flags(cert) & EXFLAG_INVALID) != 0;
  ERR_clear_error();
  return invalid;
}

CertInfo InfoOf(X509* cert) {
  CertInfo info;
  info.not_before = ToSysSeconds(X509_get0_notBefore(cert));
  info.not_after = ToSysSeconds(X509_get0_notAfter(cert));
  const uint32_t flags = X509_get_extension_flags(cert);
  info.is_ca = (flags & EXFLAG_BCONS) != 0 && (flags & EXFLAG_CA) != 0;
  const X509_NAME* subject = X509_get_subject_name(cert);
  if (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0) {
    info.common_name = Utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
  }
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                  static_cast<size_t>(ASN1_STRING_length(dns)));
    } else if (name->type == GEN_IPADD) {
      info.ip_addresses.push_back(IpText(name->d.iPAddress));
    }
  }
  GENERAL_NAMES_free(sans);
  ERR_clear_error();
  return info;
}

bool KeyMatches(const X509* cert, const EVP_PKEY* key) {
  const EVP_PKEY* cert_key = X509_get0_pubkey(cert);
  const bool match = cert_key != nullptr && EVP_PKEY_eq(cert_key, key) == 1;
  ERR_clear_error();
  return match;
}

bool IssuedBy(const X509* cert, const X509* ca) {
  bool issued = X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca)) == 0;
  if (issued) {
    EVP_PKEY* ca_key = X509_get0_pubkey(ca);
    issued = ca_key != nullptr && X509_verify(const_cast<X509*>(cert), ca_key) == 1;
  }
  ERR_clear_error();
  return issued;
}

}  // namespace csp::certs::internal
