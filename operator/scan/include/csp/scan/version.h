#pragma once

namespace csp::scan {

inline constexpr const char* kVersion = CSP_VERSION;  // set by CMake from project(VERSION)

}  // namespace csp::scan
