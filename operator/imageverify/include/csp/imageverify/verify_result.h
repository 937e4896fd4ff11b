// The verifier's answer for one image under one key set, and the mapping from
// csp::signature's verdict to the engine's three-way SignatureVerdict.
#pragma once

#include <string>

#include "csp/common/result.h"
#include "csp/policy/eval_context.h"
#include "csp/signature/verdict.h"

namespace csp::imageverify {

enum class Layout { kNone, kBundle, kLegacy };
std::string_view LayoutName(Layout layout);  // "", "bundle", "legacy"

struct VerifyResult {
  policy::SignatureVerdict verdict = policy::SignatureVerdict::kError;
  std::string digest = {};  // the resolved digest; "" when resolution failed
  // One line: "verified with key release", "no signature", "signature does not verify with keys
  // [release]", "signed digest differs", "malformed signature: ...", "registry unreachable: ...".
  std::string detail = {};
  std::string key_name = {};               // the key that verified
  Layout verified_layout = Layout::kNone;  // which layout verified
  bool bundle_found = false;               // a Sigstore bundle referrer exists
  bool legacy_found = false;               // a sha256-<hex>.sig manifest exists
};

// kVerified -> kVerified; no signature, bad signature, digest mismatch and malformed
// signatures -> kNotSigned (a fail: a broken signature proves nothing); detail = its reason.
VerifyResult FromVerdict(const signature::Verdict& verdict);

// A registry error -> kError. kUnavailable and kAborted (nothing answered, or the connection
// broke) read "registry unreachable: <message>"; others keep the client's message, which names
// the registry host and request ("registry h:5000: 401 Unauthorized for GET ...").
VerifyResult FromRegistryError(const Error& error);

}  // namespace csp::imageverify
