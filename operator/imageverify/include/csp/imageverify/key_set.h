// A named key set (a policy's trusted cosign keys, with its transparency-log settings) and its
// fingerprint, and the fingerprint of the registry credential used: the cache's key part.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "csp/registry/credentials.h"
#include "csp/signature/transparency_log.h"
#include "csp/signature/verdict.h"

namespace csp::imageverify {

// SHA-256 over the (name, key hint) pairs in order: equal for the same keys under the same
// names, different when a key is added, removed, renamed or rotated; and likewise over `tlog`'s
// Rekor keys and `required` when it is not the default.
std::string KeySetFingerprint(std::span<const signature::NamedKey> keys,
                              const signature::TlogOptions& tlog = {});

// "" for anonymous access, else "+" and a SHA-256 over the credential (never the secret itself:
// cache keys may be logged or dumped).
std::string CredentialFingerprint(const std::optional<registry::Credential>& credential);

}  // namespace csp::imageverify
