// The webhook's certificates as a Secret, and how they rotate without a failed request.
//
// Secret data (the keys are the constants below):
//   ca.crt       every CA the clients (the API server, via the webhook's caBundle) must trust,
//                PEM, oldest first
//   ca.key       the key of the signing CA: the CA of ca.crt whose public key it is
//   ca-next.key  only during a CA rotation: the key of the next CA, already appended to ca.crt
//                but not yet signing (the CA it belongs to is found by its public key, so no
//                other marker is stored)
//   tls.crt      the serving certificate alone; tls.key its key
//
// PlanCertificates computes the next state, one step per call; the caller writes it, injects
// ca.crt into the webhook configuration, and calls again (level-triggered). Every step keeps
// "no failed request": the serving certificate before and after the step both verify against
// the bundle before and after it, so clients on either bundle trust replicas on either cert.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "csp/common/result.h"

namespace csp::certs {

inline constexpr char kCaCertKey[] = "ca.crt";
inline constexpr char kCaKeyKey[] = "ca.key";
inline constexpr char kNextCaKeyKey[] = "ca-next.key";
inline constexpr char kTlsCertKey[] = "tls.crt";
inline constexpr char kTlsKeyKey[] = "tls.key";

using SecretData = std::map<std::string, std::string>;

struct Settings {
  std::vector<std::string> dns_names = {};     // an IP literal here counts as an IP SAN
  std::vector<std::string> ip_addresses = {};  // IPv4 or IPv6 literals
  std::chrono::seconds ca_lifetime = std::chrono::hours(365 * 24);
  std::chrono::seconds serving_lifetime = std::chrono::hours(90 * 24);
};

struct Plan {
  SecretData data = {};  // the next state; equal to the current data when !changed
  bool changed = false;
  std::string reason = {};  // for logs and events; empty when !changed
};

// The next state of the Secret at `now`. Pure apart from key generation. `propagated`: every
// client already trusts current[ca.crt] (the caller sets it once the webhook configuration's
// caBundle equals it). The first step that applies, in this order:
//  1. ca.crt/ca.key missing, unreadable or inconsistent (the key is no CA's of the bundle), or
//     the signing CA expired with no next CA: a new CA and serving cert ("created" when the
//     data was empty, else "unreadable: ..." / "signing CA expired ..."). Only this step can
//     fail a request, and only when the old state was unusable anyway.
//  2. a next CA and `propagated` (or the signing CA expired): the serving cert is issued by the
//     next CA, which becomes the signing CA; the old CA stays in the bundle
//     ("serving certificate switched to the new CA").
//  3. the signing CA within the last third of its lifetime and no next CA: a next CA is
//     appended to ca.crt, its key stored under ca-next.key; serving continues unchanged
//     ("new CA added to the bundle ...").
//  4. tls.crt/tls.key missing, unreadable, mismatched, not issued by the signing CA, within the
//     last third of its lifetime, or SANs other than the settings': reissued by the signing CA
//     ("serving certificate reissued: ...", "serving certificate renewed (expires ...)",
//     "SANs changed"). The bundle does not change, so this needs no propagation.
//  5. CAs of the bundle that expired (never the signing CA) are dropped
//     ("expired CA removed from the bundle"); an unusable ca-next.key is dropped too.
// New certificates start at now - 1h (clock skew between replicas and the API server) and end
// at now + lifetime; a serving cert never outlives its CA. kInvalidArgument for settings with
// no SAN or an IP that is no literal; kInternal when OpenSSL fails. Keys not listed above are
// kept as they are.
Result<Plan> PlanCertificates(const SecretData& current, const Settings& settings,
                              std::chrono::sys_seconds now, bool propagated);

}  // namespace csp::certs
