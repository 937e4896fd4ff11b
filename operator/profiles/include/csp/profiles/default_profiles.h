// The built-in csp-default profiles, installed on every node without any user action. Their
// readable sources live in operator/profiles/defaults/ and are compiled into the binary.
#pragma once

#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/profiles/profile_kind.h"
#include "csp/profiles/render_target.h"

namespace csp::profiles {

// The source texts, as in operator/profiles/defaults/.
std::string_view DefaultSeccompSourceText();
std::string_view DefaultAppArmorText();

// csp-default seccomp, rendered for `target` (its machine must be one the source lists).
Result<RenderedProfile> RenderDefaultSeccomp(const RenderTarget& target);
// csp-default AppArmor: the text as shipped.
RenderedProfile RenderDefaultAppArmor();
// Both, seccomp first.
Result<std::vector<RenderedProfile>> RenderDefaultProfiles(const RenderTarget& target);

}  // namespace csp::profiles
