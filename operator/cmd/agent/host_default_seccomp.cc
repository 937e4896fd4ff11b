#include "host_default_seccomp.h"

#include <nlohmann/json.hpp>

#include "csp/agent/host_render_target.h"
#include "csp/profiles/default_profiles.h"

namespace csp::agent::cmd {

Result<profiles::SeccompProfile> HostDefaultSeccomp() {
  CSP_TRY(const profiles::RenderTarget target, HostRenderTarget());
  CSP_TRY(const profiles::RenderedProfile rendered, profiles::RenderDefaultSeccomp(target));
  return profiles::ParseSeccompProfile(nlohmann::json::parse(rendered.bytes), "csp-default");
}

}  // namespace csp::agent::cmd
