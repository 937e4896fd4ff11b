// `cspctl fix`: flags and wiring of csp::fix::RunFix.
#pragma once

namespace cspctl {

int Fix(int argc, char** argv);

}  // namespace cspctl
