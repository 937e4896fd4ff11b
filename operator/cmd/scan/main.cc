// cspctl: the policy engine offline. Flags and wiring only; the work is in csp::scan.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "csp/policy/text.h"
#include "csp/scan/scan.h"
#include "csp/version.h"

namespace {

constexpr const char* kUsage = R"(cspctl: container runtime security checks for Kubernetes manifests

Usage:
  cspctl scan [flags] PATH...   evaluate workloads in files, directories or - (stdin)
  cspctl version                print the version
  cspctl help                   this text

Run 'cspctl scan --help' for the scan flags.
)";

constexpr const char* kScanUsage = R"(Usage: cspctl scan [flags] PATH...

Evaluates every workload (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,
ReplicationController, PodTemplate; List and *List expanded) in PATH against the policies and
prints the verdict. PATH is a file, a directory (read recursively: *.yaml, *.yml, *.json), or -
for stdin. Multi-document YAML and JSON are accepted.

Flags:
  -p, --policy FILE      a ContainerSecurityPolicy (YAML or JSON); repeat for several, each is
                         evaluated and reported under its own name. Default: the default policy
                         (every control but require-image-signature, with its defaults)
  -o, --output FORMAT    table (default), json or yaml (the PolicyReports the operator would
                         write, as a v1 List), sarif (SARIF 2.1.0 for code-scanning UIs)
  -n, --namespace NS     namespace of workloads that name none (default "default")
      --now TIME         evaluate as of this RFC 3339 time (exemption expiry, report
                         timestamps) instead of the current time
      --color WHEN       auto (default: only on a terminal, and not with NO_COLOR set),
                         always or never
  -h, --help             this text

Exit status: 0 no failing result, 1 at least one failing result, 2 usage or input error
(it wins over 1). Input errors are printed to stderr as FILE:LINE: message; the other
documents are still scanned.
)";

int Usage(const std::string& message) {
  std::cerr << "cspctl: " << message << "\nRun 'cspctl scan --help' for usage.\n";
  return 2;
}

int Scan(int argc, char** argv) {
  csp::scan::ScanOptions options;
  options.now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string color = "auto";
  bool only_paths = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_paths || arg == "-" || arg.empty() || arg[0] != '-') {
      options.paths.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_paths = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      std::cout << kScanUsage;
      return 0;
    }
    // --flag=value and --flag value
    std::string name = arg, value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    auto take = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    if (name == "-p" || name == "--policy") {
      if (!take()) return Usage(name + " needs a file");
      options.policy_files.push_back(value);
    } else if (name == "-o" || name == "--output") {
      if (!take()) return Usage(name + " needs a format");
      if (value == "table") {
        options.format = csp::scan::Format::kTable;
      } else if (value == "json") {
        options.format = csp::scan::Format::kJson;
      } else if (value == "yaml") {
        options.format = csp::scan::Format::kYaml;
      } else if (value == "sarif") {
        options.format = csp::scan::Format::kSarif;
      } else {
        return Usage("unknown output format \"" + value + "\" (table, json, yaml or sarif)");
      }
    } else if (name == "-n" || name == "--namespace") {
      if (!take() || value.empty()) return Usage(name + " needs a namespace");
      options.default_namespace = value;
    } else if (name == "--now") {
      if (!take()) return Usage("--now needs an RFC 3339 time");
      auto t = csp::ParseRfc3339(value);
      if (!t) return Usage("--now: \"" + value + "\" is not an RFC 3339 time");
      options.now = *t;
    } else if (name == "--color") {
      if (!take() || (value != "auto" && value != "always" && value != "never")) {
        return Usage("--color takes auto, always or never");
      }
      color = value;
    } else {
      return Usage("unknown flag " + arg);
    }
  }
  if (options.paths.empty()) return Usage("scan needs at least one PATH (- for stdin)");
  options.color = color == "always" ||
                  (color == "auto" && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr);
  std::ios::sync_with_stdio(false);
  return csp::scan::RunScan(options, std::cin, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  if (command == "scan") return Scan(argc - 2, argv + 2);
  if (command == "version" || command == "--version") {
    if (argc > 2 && (std::strcmp(argv[2], "--help") == 0 || std::strcmp(argv[2], "-h") == 0)) {
      std::cout << "Usage: cspctl version\n\nPrints the version of cspctl.\n";
      return 0;
    }
    std::cout << "cspctl " << csp::kVersion << '\n';
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "cspctl: unknown command \"" << command << "\"\n" << kUsage;
  return 2;
}
