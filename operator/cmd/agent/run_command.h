// `csp-agent run`: the node agent (NodeAgent) with its health and metrics endpoints.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace csp::agent::cmd {

// args: what follows "run". Returns the exit status: 0 after SIGTERM or SIGINT, 1 when the
// agent cannot start (kubeconfig, listen address), 2 for usage errors.
int RunAgent(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace csp::agent::cmd
