#include "fix_command.h"

#include <chrono>
#include <iostream>
#include <string>

#include "csp/fix/fix_command.h"
#include "flag_reader.h"
#include "input_flags.h"

namespace cspctl {
namespace {

constexpr const char* kFixUsage = R"(Usage: cspctl fix [flags] PATH...

Applies the safe, mechanical fixes of failing results (the JSON Patch in a result's `patch`
property: privileged false, seccomp and AppArmor RuntimeDefault, capabilities, no privilege
escalation, runAsNonRoot where a non-zero runAsUser is set; docs/controls.md "Fixes") to the
YAML files in PATH, in place. Only the edited lines change: comments, key order, quoting and
the other documents keep every byte. An edit it cannot place (anchors and aliases, block
scalars, JSON files, stdin) is named on stderr with its file, object, rule and path, and that
file keeps its text. Each file is replaced atomically. Rules without a safe fix are left as
they are (their `fix` property says why). PATH is read as by `cspctl scan`.

Flags:
  -p, --policy FILE      a ContainerSecurityPolicy; repeatable (default: the default policy)
      --pod-security-standard LEVEL  also (or, without -p, only) the "pss-LEVEL" policy
  -n, --namespace NS     namespace of workloads that name none (default "default")
      --now TIME         evaluate as of this RFC 3339 time instead of the current time
      --kustomize DIR    leave the files alone; write each workload's fixes as a JSON Patch
                         file into DIR with a kustomization.yaml whose `patches:` target them
  -h, --help             this text

Exit status: 0 every fix applied (or none needed), 1 some fix could not be applied, 2 usage
or input error.
)";

}  // namespace

int Fix(int argc, char** argv) {
  csp::fix::FixOptions options;
  options.scan.now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  options.scan.environment = csp::scan::ProcessEnvironment;
  auto usage = [](const std::string& message) { return Usage("fix", message); };
  FlagReader args(argc, argv);
  while (args.Next()) {
    const std::string& name = args.name();
    if (args.positional()) {
      options.scan.paths.push_back(args.arg());
    } else if (name == "-h" || name == "--help") {
      std::cout << kFixUsage;
      return 0;
    } else if (std::string error; ParseInputFlag(args, options.scan, error)) {
      if (!error.empty()) return usage(error);
    } else if (name == "--kustomize") {
      if (!args.Take() || args.value().empty()) return usage("--kustomize needs a directory");
      options.kustomize_dir = args.value();
    } else {
      return usage("unknown flag " + args.arg());
    }
  }
  if (options.scan.paths.empty()) return usage("fix needs at least one PATH");
  return csp::fix::RunFix(options, std::cin, std::cout, std::cerr);
}

}  // namespace cspctl
