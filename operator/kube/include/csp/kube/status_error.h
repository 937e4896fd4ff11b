// Typed errors from the API server's metav1.Status objects.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "csp/common/result.h"

namespace csp::kube {

// Maps an HTTP error (its status and body, normally a Status object) to an Error:
//   400, 422 and other 4xx         kInvalidArgument (the Status message says what is wrong)
//   401                            kUnauthenticated
//   403                            kPermissionDenied
//   404                            kNotFound
//   409 reason AlreadyExists       kAlreadyExists
//   409 (Conflict), 412            kAborted: re-read and try again
//   410 (Gone, Expired)            kFailedPrecondition, see IsGone
//   429, 5xx                       kUnavailable
//   anything else                  kInternal
// The message reads "<context>: <HTTP code> <reason>: <Status message>".
Error ErrorFromResponse(int http_status, std::string_view body, std::string_view context);

// The same mapping for a Status object that arrived inside a stream (a watch ERROR event); its
// `code` field stands in for the HTTP status (missing: kInternal).
Error ErrorFromStatus(const nlohmann::json& status, std::string_view context);

// True for a 410 Gone / Expired: the resourceVersion or continue token is too old and the
// caller must relist. The client maps 410, and only 410, to kFailedPrecondition.
inline bool IsGone(const Error& e) { return e.code == Code::kFailedPrecondition; }

}  // namespace csp::kube
