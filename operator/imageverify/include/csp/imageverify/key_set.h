// A named key set (a policy's trusted cosign keys, with its transparency-log settings) and its
// fingerprint, the cache's key part.
#pragma once

#include <span>
#include <string>

#include "csp/signature/transparency_log.h"
#include "csp/signature/verdict.h"

namespace csp::imageverify {

// SHA-256 over the (name, key hint) pairs in order: equal for the same keys under the same
// names, different when a key is added, removed, renamed or rotated; and likewise over `tlog`'s
// Rekor keys and `required` when it is not the default.
std::string KeySetFingerprint(std::span<const signature::NamedKey> keys,
                              const signature::TlogOptions& tlog = {});

}  // namespace csp::imageverify
