// The cosign keys a policy's require-image-signature rule trusts, as written in the policy: for
// the verifier outside the engine (which reads Secrets, parses keys and talks to registries).
#pragma once

#include <string>
#include <vector>

#include "csp/policy/policy.h"

namespace csp::policy {

struct SignatureKeySpec {
  std::string name = {};
  std::string public_key_pem = {};  // inline publicKey; "" when the key is in a Secret
  struct SecretRef {
    std::string ns = {};
    std::string name = {};
    std::string key = {};
  };
  std::optional<SecretRef> secret_ref = {};
};

// transparencyLog: the Rekor public keys (inline publicKey only) that verify the log entries of
// signatures, and whether a signature needs one (default false: cosign --tlog-upload=false and
// air-gapped registries write none; docs/signatures.md weighs it).
struct TransparencyLogSpec {
  bool required = false;
  std::vector<SignatureKeySpec> public_keys = {};
};

// The keys of `policy`'s require-image-signature settings, in policy order; empty when it has
// none (also when the rule is disabled: the engine then never asks for a verdict).
std::vector<SignatureKeySpec> SignatureKeys(const Policy& policy);

// Its transparencyLog settings; the default when it has none.
TransparencyLogSpec TransparencyLog(const Policy& policy);

}  // namespace csp::policy
