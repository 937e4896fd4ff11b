// The AdmissionReview the webhook answers with (admission.k8s.io/v1).
#pragma once

#include <string>
#include <string_view>

#include "csp/admission/judge.h"

namespace csp::admission {

// {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":...,
// "allowed":...}}, with response.status {code, message, reason} when refused (reason
// "Forbidden" for 403, "BadRequest" for 400, none for other codes) and response.warnings when
// there are any. Bytes that are not UTF-8 are replaced (U+FFFD), so it never throws.
std::string RenderResponse(std::string_view uid, const Verdict& verdict);

}  // namespace csp::admission
