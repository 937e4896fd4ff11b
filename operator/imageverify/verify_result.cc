#include "csp/imageverify/verify_result.h"

namespace csp::imageverify {

std::string_view LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kNone:
      return "";
    case Layout::kBundle:
      return "bundle";
    case Layout::kLegacy:
      return "legacy";
  }
  return "";
}

VerifyResult FromVerdict(const signature::Verdict& verdict) {
  VerifyResult r;
  r.verdict = verdict.outcome == signature::Outcome::kVerified
                  ? policy::SignatureVerdict::kVerified
                  : policy::SignatureVerdict::kNotSigned;
  r.detail = verdict.reason;
  r.key_name = verdict.key_name;
  return r;
}

VerifyResult FromRegistryError(const Error& error) {
  VerifyResult r{.verdict = policy::SignatureVerdict::kError};
  const bool unreachable = error.code == Code::kUnavailable || error.code == Code::kAborted;
  r.detail = unreachable ? "registry unreachable: " + error.message : error.message;
  return r;
}

}  // namespace csp::imageverify
