// `cspctl images`: every image of the input with its digest, the cosign signatures found (which
// layout) and which key verifies them, or why not. For finding what still relies on Docker
// Content Trust before its sunset.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "csp/imageverify/verify_result.h"

namespace csp::imageverify {

struct ImageRow {
  std::string image = {};
  std::vector<std::string> users = {};  // "Deployment default/web: container \"app\""
  VerifyResult result = {};
};

// IMAGE, DIGEST, SIGNATURES (bundle, legacy, none), VERIFIED (key and layout, "no", "error"),
// DETAIL. `have_keys` false: no key was given, so VERIFIED reads "-" (existence only).
void WriteImageTable(const std::vector<ImageRow>& rows, bool have_keys, std::ostream& out);

// {"images": [{"image", "digest", "signatures": ["bundle", ...], "verified": bool,
// "key", "layout", "result": "verified|not-signed|error", "detail", "usedBy": [...]}]}.
nlohmann::json ImageReportJson(const std::vector<ImageRow>& rows, bool have_keys);

}  // namespace csp::imageverify
