// `csp-agent render`: prints a profile exactly as a node gets it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace csp::agent::cmd {

extern const char* const kRenderUsage;

// args: what follows "render". Returns the exit status: 0 printed, 2 usage or input error.
int RunRender(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace csp::agent::cmd
