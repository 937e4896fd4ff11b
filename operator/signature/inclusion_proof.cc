// VerifyInclusionProof: RFC 6962 section 2.1.1 audit paths (as transparency-dev/merkle's
// proof.VerifyInclusion computes them) and Rekor v1's checkpoint, a signed note
// (golang.org/x/mod/sumdb/note, rekor pkg/util/signed_note.go):
//
//   <origin>\n<tree size>\n<base64 root hash>\n[<other lines>\n]\n
//   — <name> <base64(4-byte key hint || signature)>\n ...
//
// The key hint is the first 4 bytes of the log's logID (SHA-256 of the key's DER); the signature is
// over the text before the blank line, newline included.
#include <bit>
#include <charconv>
#include <cstdint>

#include "csp/common/base64.h"
#include "csp/signature/transparency_log.h"
#include "digest.h"

namespace csp::signature {
namespace {

// More is no tree: 2^64 leaves need 64 hashes.
inline constexpr std::size_t kMaxProofHashes = 64;
inline constexpr std::string_view kSignatureLinePrefix = "\xE2\x80\x94 ";  // U+2014 em dash

std::string HashChildren(std::string_view left, std::string_view right) {
  std::string node(1, '\x01');
  node.append(left).append(right);
  return internal::Sha256(node);
}

// The root that `proof` leads to from the leaf at `index` of a tree of `size` leaves.
Result<std::string> RootFromProof(std::uint64_t index, std::uint64_t size, std::string leaf_hash,
                                  const std::vector<std::string>& proof) {
  if (index >= size) return InvalidArgument("inclusion proof: index beyond the tree size");
  const int inner = std::bit_width(index ^ (size - 1));
  const int border = std::popcount(index >> inner);
  if (proof.size() != static_cast<std::size_t>(inner + border)) {
    return InvalidArgument("inclusion proof: " + std::to_string(proof.size()) + " hashes, want " +
                           std::to_string(inner + border) + " for index " + std::to_string(index) +
                           " of " + std::to_string(size));
  }
  std::string node = std::move(leaf_hash);
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != 32) return InvalidArgument("inclusion proof: a hash is not 32 bytes");
    const bool left_sibling = i >= static_cast<std::size_t>(inner) || ((index >> i) & 1) == 1;
    node = left_sibling ? HashChildren(proof[i], node) : HashChildren(node, proof[i]);
  }
  return node;
}

struct Checkpoint {
  std::string text;  // what is signed
  std::uint64_t size = 0;
  std::string root_hash;
  std::vector<std::string> signatures;  // decoded, key hint first
};

Result<Checkpoint> ParseCheckpoint(std::string_view note) {
  const std::size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos || note.back() != '\n') {
    return InvalidArgument("checkpoint: not a signed note");
  }
  Checkpoint c;
  c.text = std::string(note.substr(0, split + 1));
  const std::size_t first = c.text.find('\n');
  const std::size_t second = c.text.find('\n', first + 1);
  const std::size_t third =
      second == std::string::npos ? std::string::npos : c.text.find('\n', second + 1);
  if (third == std::string::npos) return InvalidArgument("checkpoint: fewer than 3 lines");
  const std::string_view size = std::string_view(c.text).substr(first + 1, second - first - 1);
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), c.size);
  if (ec != std::errc() || end != size.data() + size.size() || size.empty()) {
    return InvalidArgument("checkpoint: tree size is not a number");
  }
  Result<std::string> root = DecodeBase64(c.text.substr(second + 1, third - second - 1));
  if (!root) return InvalidArgument("checkpoint: root hash is not base64");
  c.root_hash = std::move(*root);
  std::string_view lines = note.substr(split + 2);
  while (!lines.empty()) {
    const std::string_view line = lines.substr(0, lines.find('\n'));
    lines.remove_prefix(std::min(lines.size(), line.size() + 1));
    if (!line.starts_with(kSignatureLinePrefix)) {
      return InvalidArgument("checkpoint: a signature line does not start with an em dash");
    }
    const std::size_t space = line.rfind(' ');
    Result<std::string> sig = DecodeBase64(line.substr(space + 1));
    if (sig && sig->size() > 4) c.signatures.push_back(std::move(*sig));
  }
  return c;
}

}  // namespace

Status VerifyInclusionProof(const TlogEntry& entry, const PublicKey& rekor_key) {
  if (!entry.inclusion_proof) return InvalidArgument("no inclusion proof");
  const InclusionProof& proof = *entry.inclusion_proof;
  if (proof.log_index < 0 || proof.tree_size <= 0 || proof.hashes.size() > kMaxProofHashes) {
    return InvalidArgument("inclusion proof: negative index, empty tree or too many hashes");
  }
  CSP_TRY(std::string root,
          RootFromProof(static_cast<std::uint64_t>(proof.log_index),
                        static_cast<std::uint64_t>(proof.tree_size),
                        internal::Sha256(std::string(1, '\0') + entry.canonicalized_body),
                        proof.hashes));
  if (root != proof.root_hash) {
    return InvalidArgument(
        "inclusion proof: the audit path does not lead from the body to "
        "rootHash " +
        internal::Hex(proof.root_hash));
  }
  CSP_TRY(Checkpoint checkpoint, ParseCheckpoint(proof.checkpoint));
  if (checkpoint.size != static_cast<std::uint64_t>(proof.tree_size) ||
      checkpoint.root_hash != proof.root_hash) {
    return InvalidArgument("checkpoint: its tree size and root hash are not the proof's");
  }
  // The hint is base64(SHA-256(SPKI)): the logID of the key's log.
  const std::string log_id = DecodeBase64(rekor_key.hint()).value();
  const std::string_view key_hint = std::string_view(log_id).substr(0, 4);
  for (const std::string& sig : checkpoint.signatures) {
    if (std::string_view(sig).substr(0, 4) == key_hint &&
        Verify(rekor_key, checkpoint.text, std::string_view(sig).substr(4))) {
      return {};
    }
  }
  return InvalidArgument("checkpoint: no signature by the log key verifies");
}

}  // namespace csp::signature
