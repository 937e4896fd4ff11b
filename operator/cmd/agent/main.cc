// csp-agent: the node agent of csp-operator. Installs the csp-default and custom seccomp and
// AppArmor profiles on its node. Flags and wiring only; the work is in csp::agent.
#include <iostream>
#include <string>
#include <vector>

#include "csp/version.h"
#include "record_command.h"
#include "render_command.h"
#include "run_command.h"

namespace {

constexpr const char* kUsage = R"(csp-agent: seccomp and AppArmor profiles on a Kubernetes node

Usage:
  csp-agent run --node-name NODE [flags]   run the node agent
  csp-agent render PROFILE [flags]         print a profile exactly as a node gets it
  csp-agent record --bundle DIR [flags]    record a workload's syscalls into a SecurityProfile
  csp-agent version                        print the version
  csp-agent help                           this text

Run 'csp-agent COMMAND --help' for the flags of run, render and record.
)";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string& command = args.front();
  if (command == "run") {
    return csp::agent::cmd::RunAgent({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  if (command == "render") {
    return csp::agent::cmd::RunRender({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  if (command == "record") {
    return csp::agent::cmd::RunRecord({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  if (command == "version" || command == "--version") {
    std::cout << "csp-agent " << csp::kVersion << "\n";
    return 0;
  }
  if (command == "help" || command == "-h" || command == "--help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "csp-agent: unknown command " << command << "\n\n" << kUsage;
  return 2;
}
