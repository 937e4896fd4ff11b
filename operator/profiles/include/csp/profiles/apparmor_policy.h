// What can be checked in AppArmor policy text without apparmor_parser. The parser itself
// (AppArmorLoader::Validate) has the last word before anything is written.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"

namespace csp::profiles {

inline constexpr std::size_t kMaxAppArmorPolicyBytes = 256 * 1024;

// Names declared with the `profile NAME` keyword (NAME quoted or not), in order, as a quick
// lexical reading: comments are skipped, nesting is not tracked. Profiles named only by an
// attachment path (`/usr/bin/foo {`) are not found; the parser's -N listing is exact.
std::vector<std::string> DeclaredProfileNames(std::string_view policy);

// Refuses empty text, text over kMaxAppArmorPolicyBytes, NUL bytes, and text that declares no
// `profile <name>`; `field` names the source in messages ("spec.appArmor").
Status CheckAppArmorPolicy(std::string_view name, std::string_view policy, std::string_view field);

}  // namespace csp::profiles
