#include "csp/imageverify/key_set.h"

#include "csp/signature/oci_manifest.h"

namespace csp::imageverify {

std::string KeySetFingerprint(std::span<const signature::NamedKey> keys) {
  std::string text;
  for (const signature::NamedKey& k : keys) {
    // Names cannot hold '\n' unnoticed: the length prefix keeps pairs apart.
    text += std::to_string(k.name.size()) + ':' + k.name + '=' + k.key.hint() + '\n';
  }
  return signature::Sha256Digest(text);
}

}  // namespace csp::imageverify
