// Base64 moved to csp::common (cosign signatures need it too); the kube names stay for callers.
#pragma once

#include "csp/common/base64.h"

namespace csp::kube {

using csp::DecodeBase64;
using csp::EncodeBase64;

}  // namespace csp::kube
