// PlanCertificates: read the Secret's state, then take the first step of the rotation order
// (rotation.h) that applies.
#include "csp/certs/rotation.h"

#include <algorithm>
#include <optional>

#include "csp/certs/certificates.h"
#include "csp/common/rfc3339.h"
#include "x509.h"

namespace csp::certs {
namespace {

using internal::PkeyPtr;
using internal::X509Ptr;
using std::chrono::sys_seconds;

// New certificates start this much before `now`, for clocks behind ours.
constexpr std::chrono::hours kBackdate{1};

struct BundleCert {
  X509Ptr cert;
  CertInfo info;
  std::string pem;  // this certificate alone
};

// What ca.crt, ca.key and ca-next.key say, when they make sense together.
struct CaState {
  std::vector<BundleCert> bundle;
  size_t signing = 0;                 // index in bundle of the CA whose key is ca.key
  std::optional<size_t> next;         // index of the CA whose key is ca-next.key
  std::string next_key_problem = {};  // why a present ca-next.key is not used
};

struct Sans {
  std::vector<std::string> dns, ips;  // sorted; IPs canonical
  bool operator==(const Sans&) const = default;
};

const std::string* Find(const SecretData& data, const char* key) {
  auto it = data.find(key);
  return it == data.end() || it->second.empty() ? nullptr : &it->second;
}

// The backdating is no lifetime: counting it, a CA of minutes would be in its last third at
// birth (and a year's CA renewed an hour early).
bool InLastThird(const CertInfo& info, sys_seconds now) {
  const auto lifetime = std::max<std::chrono::seconds>(info.not_after - info.not_before - kBackdate,
                                                       std::chrono::seconds(0));
  return (info.not_after - now) * 3 < lifetime;
}

Result<Sans> WantedSans(const Settings& settings) {
  Sans sans;
  for (const std::string& name : settings.dns_names) {
    if (auto ip = internal::CanonicalIp(name)) {
      sans.ips.push_back(*ip);
    } else {
      sans.dns.push_back(name);
    }
  }
  for (const std::string& text : settings.ip_addresses) {
    auto ip = internal::CanonicalIp(text);
    if (!ip) return InvalidArgument("\"" + text + "\" is not an IPv4 or IPv6 address");
    sans.ips.push_back(*ip);
  }
  if (sans.dns.empty() && sans.ips.empty()) {
    return InvalidArgument("the serving certificate needs at least one DNS name or IP address");
  }
  std::sort(sans.dns.begin(), sans.dns.end());
  std::sort(sans.ips.begin(), sans.ips.end());
  return sans;
}

Sans SansOf(const CertInfo& info) {
  Sans sans{.dns = info.dns_names, .ips = info.ip_addresses};
  std::sort(sans.dns.begin(), sans.dns.end());
  std::sort(sans.ips.begin(), sans.ips.end());
  return sans;
}

// The CA of the bundle whose public key is `key` (the latest-expiring one if several).
std::optional<size_t> CaOfKey(const std::vector<BundleCert>& bundle, const EVP_PKEY* key) {
  std::optional<size_t> found;
  for (size_t i = 0; i < bundle.size(); ++i) {
    if (!bundle[i].info.is_ca || !internal::KeyMatches(bundle[i].cert.get(), key)) continue;
    if (!found || bundle[i].info.not_after > bundle[*found].info.not_after) found = i;
  }
  return found;
}

// The error's message says why the CA material is unusable.
Result<CaState> ReadCaState(const SecretData& data, sys_seconds now) {
  const std::string* ca_crt = Find(data, kCaCertKey);
  const std::string* ca_key = Find(data, kCaKeyKey);
  if (ca_crt == nullptr || ca_key == nullptr) {
    return InvalidArgument(std::string(ca_crt == nullptr ? kCaCertKey : kCaKeyKey) + " missing");
  }
  auto certs = internal::ParseCerts(*ca_crt);
  if (!certs) return InvalidArgument(std::string(kCaCertKey) + ": " + certs.error().message);
  CaState state;
  for (X509Ptr& cert : *certs) {
    if (internal::HasInvalidExtensions(cert.get())) {
      return InvalidArgument(std::string(kCaCertKey) + ": a certificate has invalid extensions");
    }
    CSP_TRY(std::string pem, internal::CertToPem(cert.get()));
    CertInfo info = internal::InfoOf(cert.get());
    state.bundle.push_back({std::move(cert), std::move(info), std::move(pem)});
  }
  auto key = internal::ParseKey(*ca_key);
  if (!key) return InvalidArgument(std::string(kCaKeyKey) + ": " + key.error().message);
  std::optional<size_t> signing = CaOfKey(state.bundle, key->get());
  if (!signing) {
    return InvalidArgument(std::string(kCaKeyKey) + " is the key of no CA in " + kCaCertKey);
  }
  state.signing = *signing;

  if (const std::string* next_key = Find(data, kNextCaKeyKey)) {
    auto parsed = internal::ParseKey(*next_key);
    std::optional<size_t> next = parsed ? CaOfKey(state.bundle, parsed->get()) : std::nullopt;
    if (!parsed) {
      state.next_key_problem = parsed.error().message;
    } else if (!next) {
      state.next_key_problem = std::string("the key of no CA in ") + kCaCertKey;
    } else if (*next == state.signing) {
      state.next_key_problem = "the signing CA's key";
    } else if (state.bundle[*next].info.not_after <= now) {
      state.next_key_problem = "the key of an expired CA";
    } else {
      state.next = next;
    }
  }
  return state;
}

// Why tls.crt/tls.key must be reissued by the signing CA, or nullopt when they are fine.
std::optional<std::string> ServingProblem(const SecretData& data, const CaState& ca,
                                          const Sans& wanted, sys_seconds now) {
  const std::string* tls_crt = Find(data, kTlsCertKey);
  const std::string* tls_key = Find(data, kTlsKeyKey);
  if (tls_crt == nullptr || tls_key == nullptr) {
    return std::string("serving certificate reissued: ") +
           (tls_crt == nullptr ? kTlsCertKey : kTlsKeyKey) + " missing";
  }
  auto certs = internal::ParseCerts(*tls_crt);
  if (!certs) return "serving certificate reissued: tls.crt: " + certs.error().message;
  if (certs->size() != 1) {
    return "serving certificate reissued: tls.crt holds " + std::to_string(certs->size()) +
           " certificates";
  }
  X509* cert = certs->front().get();
  auto key = internal::ParseKey(*tls_key);
  if (!key) return "serving certificate reissued: tls.key: " + key.error().message;
  if (!internal::KeyMatches(cert, key->get())) {
    return std::string("serving certificate reissued: tls.key is not the key of tls.crt");
  }
  if (!internal::IssuedBy(cert, ca.bundle[ca.signing].cert.get())) {
    return std::string("serving certificate reissued: tls.crt is not issued by the signing CA");
  }
  const CertInfo info = internal::InfoOf(cert);
  if (SansOf(info) != wanted) return std::string("SANs changed");
  // A certificate cut short by its CA's expiry is renewed only once a reissue would last
  // longer (by the next CA): reissuing from the same CA would give the same end, at every call.
  const sys_seconds ca_not_after = ca.bundle[ca.signing].info.not_after;
  if (InLastThird(info, now) && ca_not_after > info.not_after) {
    return "serving certificate renewed (expires " + FormatRfc3339(info.not_after) + ")";
  }
  return std::nullopt;
}

Result<KeyPair> IssueServing(const KeyPair& ca, sys_seconds ca_not_after, const Settings& settings,
                             sys_seconds now) {
  return NewServingCert(ca, settings.dns_names, settings.ip_addresses, now - kBackdate,
                        std::min(now + settings.serving_lifetime, ca_not_after));
}

Result<KeyPair> IssueCa(const Settings& settings, sys_seconds now) {
  // Unique names: clients pick a CA by subject first, and two CAs live side by side.
  return NewCa("csp-operator-webhook-ca@" + std::to_string(now.time_since_epoch().count()),
               now - kBackdate, now + settings.ca_lifetime);
}

Plan Changed(SecretData data, std::string reason) {
  return {.data = std::move(data), .changed = true, .reason = std::move(reason)};
}

void SetServing(SecretData& data, KeyPair serving) {
  data[kTlsCertKey] = std::move(serving.cert_pem);
  data[kTlsKeyKey] = std::move(serving.key_pem);
}

Result<Plan> Recreate(const SecretData& current, const Settings& settings, sys_seconds now,
                      std::string reason) {
  CSP_TRY(KeyPair ca, IssueCa(settings, now));
  CSP_TRY(KeyPair serving, IssueServing(ca, now + settings.ca_lifetime, settings, now));
  SecretData data = current;
  data.erase(kNextCaKeyKey);
  data[kCaCertKey] = ca.cert_pem;
  data[kCaKeyKey] = std::move(ca.key_pem);
  SetServing(data, std::move(serving));
  return Changed(std::move(data), std::move(reason));
}

}  // namespace

Result<Plan> PlanCertificates(const SecretData& current, const Settings& settings, sys_seconds now,
                              bool propagated) {
  CSP_TRY(Sans wanted, WantedSans(settings));
  auto read = ReadCaState(current, now);
  if (!read) {
    const bool empty =
        Find(current, kCaCertKey) == nullptr && Find(current, kCaKeyKey) == nullptr &&
        Find(current, kTlsCertKey) == nullptr && Find(current, kTlsKeyKey) == nullptr;
    return Recreate(current, settings, now,
                    empty ? "created" : "unreadable: " + read.error().message);
  }
  const CaState& ca = *read;
  const BundleCert& signing = ca.bundle[ca.signing];
  const bool signing_expired = signing.info.not_after <= now;

  // 2. Switch to the next CA once every client trusts it (or when the old one is gone).
  if (ca.next && (propagated || signing_expired)) {
    const BundleCert& next = ca.bundle[*ca.next];
    const std::string& next_key = current.at(kNextCaKeyKey);
    CSP_TRY(KeyPair serving, IssueServing({.cert_pem = next.pem, .key_pem = next_key},
                                          next.info.not_after, settings, now));
    SecretData data = current;
    data[kCaKeyKey] = next_key;
    data.erase(kNextCaKeyKey);
    SetServing(data, std::move(serving));
    return Changed(std::move(data), "serving certificate switched to the new CA");
  }
  if (signing_expired) {
    return Recreate(current, settings, now,
                    "signing CA expired at " + FormatRfc3339(signing.info.not_after) +
                        " before a new CA was trusted");
  }

  // 3. A next CA joins the bundle while the old one still signs.
  if (!ca.next && InLastThird(signing.info, now)) {
    CSP_TRY(KeyPair next, IssueCa(settings, now));
    SecretData data = current;
    std::string& bundle = data[kCaCertKey];
    if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
    bundle += next.cert_pem;
    data[kNextCaKeyKey] = std::move(next.key_pem);
    std::string reason = "new CA added to the bundle (the signing CA expires " +
                         FormatRfc3339(signing.info.not_after) + ")";
    // The switch waits for the API server to trust the new CA: a serving certificate due now
    // is renewed from the signing CA meanwhile, or it could end before the switch.
    if (auto problem = ServingProblem(current, ca, wanted, now)) {
      CSP_TRY(KeyPair serving,
              IssueServing({.cert_pem = signing.pem, .key_pem = current.at(kCaKeyKey)},
                           signing.info.not_after, settings, now));
      SetServing(data, std::move(serving));
      reason += "; " + *problem;
    }
    return Changed(std::move(data), std::move(reason));
  }

  // 4. The serving certificate, from the signing CA: the bundle stays as it is.
  if (auto problem = ServingProblem(current, ca, wanted, now)) {
    CSP_TRY(KeyPair serving,
            IssueServing({.cert_pem = signing.pem, .key_pem = current.at(kCaKeyKey)},
                         signing.info.not_after, settings, now));
    SecretData data = current;
    SetServing(data, std::move(serving));
    return Changed(std::move(data), std::move(*problem));
  }

  // 5. Housekeeping: expired CAs and a ca-next.key that belongs to no usable CA.
  if (!ca.next_key_problem.empty()) {
    SecretData data = current;
    data.erase(kNextCaKeyKey);
    return Changed(std::move(data), std::string("unusable ") + kNextCaKeyKey + " removed (" +
                                        ca.next_key_problem + ")");
  }
  std::string kept;
  size_t dropped = 0;
  for (size_t i = 0; i < ca.bundle.size(); ++i) {
    if (i != ca.signing && ca.bundle[i].info.not_after <= now) {
      ++dropped;
    } else {
      kept += ca.bundle[i].pem;
    }
  }
  if (dropped > 0) {
    SecretData data = current;
    data[kCaCertKey] = std::move(kept);
    return Changed(std::move(data),
                   dropped == 1 ? "expired CA removed from the bundle"
                                : std::to_string(dropped) + " expired CAs removed from the bundle");
  }
  return Plan{.data = current, .changed = false, .reason = {}};
}

}  // namespace csp::certs
