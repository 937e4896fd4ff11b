// Rekor (v1) transparency-log entries, verified offline with a configured Rekor public key (read
// from sigstore-go pkg/tlog/entry.go and pkg/verify/tlog.go, cosign pkg/cosign/verify.go
// VerifyBundle/VerifySET, rekor pkg/util/signed_note.go, and checked against the real entries
// copied into tests/signature/testdata/rekor/):
//
//   inclusion promise  the signed entry timestamp (SET): the log's signature over the RFC 8785
//                      canonical JSON {"body":<base64 body>,"integratedTime":N,"logID":"<hex>",
//                      "logIndex":N}; the entry's logID is SHA-256(DER SubjectPublicKeyInfo) of
//                      the log key, which picks the key
//   inclusion proof    the RFC 6962 audit path from the leaf SHA-256(0x00 || body) to rootHash,
//                      and the checkpoint (a signed note: origin, tree size, base64 root hash)
//                      signed by the same key, its size and root equal to the proof's
//   body               about this signature: a hashedrekord v0.0.1 of the signed bytes' SHA-256
//                      (cosign's legacy layer, a bundle's messageSignature), or a dsse v0.0.1 /
//                      intoto v0.0.2 of the DSSE payload's SHA-256 (bundles' dsseEnvelope); the
//                      signature and the key (PEM public key or certificate) the body names must
//                      be the ones that verified
//
// Rekor v2 entries (hashedrekord v0.0.2, tile logs) are not read: they are entries of another log.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/signature/verdict.h"

namespace csp::signature {

struct InclusionProof {
  std::int64_t log_index = 0;  // within the tree the checkpoint describes (a shard of the log)
  std::string root_hash = {};  // raw bytes
  std::int64_t tree_size = 0;
  std::vector<std::string> hashes = {};  // raw, from the leaf's sibling upwards
  std::string checkpoint = {};           // the signed note's text
};

// A Rekor entry as a bundle's tlogEntries or cosign's legacy annotation carries it (decoded).
struct TlogEntry {
  std::int64_t log_index = 0;
  std::string log_id = {};  // raw SHA-256 of the log key's DER SubjectPublicKeyInfo
  std::string kind = {};    // kindVersion (bundles only; the body says it too)
  std::string version = {};
  std::int64_t integrated_time = 0;
  std::string signed_entry_timestamp = {};  // the inclusion promise; "" when absent
  std::string canonicalized_body = {};
  std::optional<InclusionProof> inclusion_proof = {};
};

// What a policy asks of the log: the Rekor public keys it trusts (named for messages) and whether
// a signature without a verified entry counts. Default: no keys, not required (entries ignored).
struct TlogOptions {
  bool required = false;
  std::vector<NamedKey> rekor_keys = {};
};

// What an entry must record to count for one signature.
struct TlogClaim {
  enum class Content {
    kMessage,  // a signature over bytes known by their SHA-256: hashedrekord
    kDsse,     // a DSSE envelope's signature: dsse or intoto
  };
  Content content = Content::kMessage;
  std::string sha256 = {};     // raw: of the signed bytes (kMessage), of the DSSE payload (kDsse)
  std::string signature = {};  // raw, the one that verified
  const PublicKey* key = nullptr;  // the key that verified it
};

// The bytes the inclusion promise signs (see above).
std::string InclusionPromisePayload(const TlogEntry& entry);

// Each OK, or kInvalidArgument saying what does not hold. `rekor_key` is the log's key (its
// hint must be the entry's logID; VerifyTlogEntry picks it so).
Status VerifyInclusionPromise(const TlogEntry& entry, const PublicKey& rekor_key);
Status VerifyInclusionProof(const TlogEntry& entry, const PublicKey& rekor_key);
Status CheckEntryBody(const TlogEntry& entry, const TlogClaim& claim);

// One entry: kNotFound when its logID is none of `rekor_keys` (an entry of another log, which
// cannot be checked); else kInvalidArgument when it has neither promise nor proof, or one of
// the checks above fails (the promise, then the proof, then the body); else OK.
Status VerifyTlogEntry(const TlogEntry& entry, const TlogClaim& claim,
                       std::span<const NamedKey> rekor_keys);

// The verdict of a signature that `key_name` verified, once its log entries are considered:
//   no Rekor keys and not required       Verified (entries are not read)
//   an entry of a trusted log fails      kTlogUnverified "transparency-log entry <i> does not
//                                        verify: <why>" (a bad entry fails the signature)
//   required and no entry verified       kTlogUnverified "no transparency-log entry verifies
//                                        with rekor keys [<names>]"
//   otherwise                            Verified
// Entries of other logs are ignored.
Verdict CheckTransparencyLog(std::span<const TlogEntry> entries, const TlogClaim& claim,
                             const TlogOptions& options, std::string_view key_name);

// cosign's legacy annotation kRekorBundleAnnotation: {"SignedEntryTimestamp": base64,
// "Payload": {"body": base64, "integratedTime": N, "logIndex": N, "logID": "<hex>"}}
// (cosign pkg/cosign/bundle RekorBundle). kInvalidArgument naming the field otherwise.
inline constexpr std::string_view kRekorBundleAnnotation = "dev.sigstore.cosign/bundle";
Result<TlogEntry> ParseRekorBundleAnnotation(std::string_view text);

}  // namespace csp::signature
