// Private to csp::signature: the parts of a Rekor v1 entry body (its canonicalizedBody, what
// the log signed) that say which signature it records. Read from rekor pkg/types: hashedrekord
// v0.0.1, dsse v0.0.1 and intoto v0.0.2, whose JSON bodies are
//   {"apiVersion","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm","value"}},
//     "signature":{"content":b64 sig,"publicKey":{"content":b64 PEM}}}}
//   {"apiVersion","kind":"dsse","spec":{"payloadHash":{"algorithm","value"},
//     "signatures":[{"signature":b64 sig,"verifier":b64 PEM}]}}
//   {"apiVersion","kind":"intoto","spec":{"content":{"payloadHash":{"algorithm","value"},
//     "envelope":{"signatures":[{"sig":b64(b64 sig),"publicKey":b64 PEM}]}}}}
// (intoto v0.0.2 encodes the signature twice: its model stores the base64 text as bytes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"

namespace csp::signature::internal {

struct EntryBody {
  std::string kind = {};
  std::string api_version = {};
  std::string hash_algorithm = {};  // of data.hash (hashedrekord) or payloadHash (dsse, intoto)
  std::string hash_hex = {};
  struct Signature {
    std::string signature = {};  // raw
    std::string key_pem = {};    // PEM public key or certificate
  };
  std::vector<Signature> signatures = {};
};

// kInvalidArgument naming the field for invalid JSON, another kind or version, a missing field
// or bad base64. Bodies over 1 MiB are refused.
Result<EntryBody> ParseEntryBody(std::string_view bytes);

}  // namespace csp::signature::internal
