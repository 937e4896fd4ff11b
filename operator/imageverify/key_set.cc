#include "csp/imageverify/key_set.h"

#include "csp/signature/oci_manifest.h"

namespace csp::imageverify {

namespace {

void AddKeys(std::span<const signature::NamedKey> keys, std::string& text) {
  for (const signature::NamedKey& k : keys) {
    // Names cannot hold '\n' unnoticed: the length prefix keeps pairs apart.
    text += std::to_string(k.name.size()) + ':' + k.name + '=' + k.key.hint() + '\n';
  }
}

}  // namespace

std::string KeySetFingerprint(std::span<const signature::NamedKey> keys,
                              const signature::TlogOptions& tlog) {
  std::string text;
  AddKeys(keys, text);
  if (tlog.required || !tlog.rekor_keys.empty()) {
    // A line no key line can be: it has no ':' after a length.
    text += tlog.required ? "tlog required\n" : "tlog\n";
    AddKeys(tlog.rekor_keys, text);
  }
  return signature::Sha256Digest(text);
}

std::string CredentialFingerprint(const std::optional<registry::Credential>& credential) {
  if (!credential) return "";
  std::string text;
  for (const std::string* part :
       {&credential->username, &credential->password, &credential->identity_token}) {
    text += std::to_string(part->size()) + ':' + *part;
  }
  return "+" + signature::Sha256Digest(text);
}

}  // namespace csp::imageverify
