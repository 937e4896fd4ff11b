// The node the agent runs on, as a render target: read from the kernel, so it lives here and
// not in the pure csp_profiles.
#pragma once

#include "csp/common/result.h"
#include "csp/profiles/render_target.h"

namespace csp::agent {

// This machine, from uname(2): its machine and kernel, no capabilities.
Result<profiles::RenderTarget> HostRenderTarget();

}  // namespace csp::agent
