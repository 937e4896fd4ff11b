// A named key set (a policy's trusted cosign keys) and its fingerprint, the cache's key part.
#pragma once

#include <span>
#include <string>

#include "csp/signature/verdict.h"

namespace csp::imageverify {

// SHA-256 over the (name, key hint) pairs in order: equal for the same keys under the same
// names, different when a key is added, removed, renamed or rotated.
std::string KeySetFingerprint(std::span<const signature::NamedKey> keys);

}  // namespace csp::imageverify
