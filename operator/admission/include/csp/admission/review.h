// admission.k8s.io/v1 AdmissionReview requests: the bytes the API server POSTs, read into the
// fields the judgement needs (docs/admission.md "What is judged"). Pure; never throws.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::admission {

inline constexpr std::string_view kReviewApiVersion = "admission.k8s.io/v1";
inline constexpr std::string_view kReviewKind = "AdmissionReview";
// Arrays and objects nested deeper than this refuse the review before it is parsed: code
// downstream (comparison, copies, dump) recurses over the document. The review and its request
// take 2 levels; a real workload object needs about 12. The manifest reader's limit.
inline constexpr std::size_t kMaxReviewDepth = 200;

// AdmissionReview.request.
struct AdmissionRequest {
  std::string uid = {};
  std::string group = {}, version = {}, kind = {};  // request.kind
  std::string resource = {}, sub_resource = {};     // request.resource.resource, .subResource
  std::string operation = {};                       // CREATE | UPDATE | DELETE | CONNECT
  std::string ns = {}, name = {};
  // Null when absent. An object without apiVersion and kind gets them from request.kind.
  nlohmann::json object = {}, old_object = {};
  bool dry_run = false;
};

// Parses an AdmissionReview. An InvalidArgument error names what is wrong: not JSON (with the
// byte offset), nested deeper than kMaxReviewDepth, not an object, apiVersion other than
// admission.k8s.io/v1, kind other than AdmissionReview, request or request.uid missing, a field
// of the wrong type, request.object missing on CREATE or UPDATE or request.oldObject on UPDATE.
// The webhook server answers these with HTTP 400.
Result<AdmissionRequest> ParseReview(std::string_view body);

}  // namespace csp::admission
