// What evaluation may know beyond the workload and the policy. The engine reads no clock and
// does no I/O: the caller passes the time and any facts gathered elsewhere.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "csp/policy/node_facts.h"

namespace csp::policy {

// Outcome of verifying one image's signature, as found by a verifier outside the engine.
enum class SignatureVerdict { kVerified, kNotSigned, kError };

class ImageSignatures {
 public:
  virtual ~ImageSignatures() = default;
  // nullopt when this image was not checked (e.g. an offline scan).
  virtual std::optional<SignatureVerdict> Lookup(std::string_view image,
                                                 std::string* detail) const = 0;
  // The digest ("sha256:<hex>") a kVerified Lookup of `image` verified, for the report's
  // properties; "" when unknown.
  virtual std::string VerifiedDigest(std::string_view /*image*/) const { return {}; }
};

struct EvalContext {
  std::chrono::sys_seconds now = {};
  const ImageSignatures* signatures = nullptr;  // null: signatures are not checked
  // What the node agents reported (in a cluster). Null (offline): rules 2 and 3 judge the
  // spec alone, as if every profile were installed.
  const NodeFacts* node_facts = nullptr;
};

}  // namespace csp::policy
