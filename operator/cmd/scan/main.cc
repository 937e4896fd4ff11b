// cspctl: the policy engine offline. Flags and wiring only; the work is in csp::scan.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "csp/imageverify/policy_signatures.h"
#include "csp/policy/text.h"
#include "csp/scan/scan.h"
#include "csp/version.h"
#include "fix_command.h"
#include "images_command.h"
#include "input_flags.h"
#include "registry_access.h"

namespace {

constexpr const char* kUsage = R"(cspctl: container runtime security checks for Kubernetes manifests

Usage:
  cspctl scan [flags] PATH...   evaluate workloads in files, directories or - (stdin)
  cspctl fix [flags] PATH...    apply the safe fixes of failing results to the files in place
                                (or write them as kustomize patches: --kustomize DIR)
  cspctl images [flags] PATH... list the images of workloads with their cosign signatures
  cspctl version                print the version
  cspctl help                   this text

Run 'cspctl scan --help', 'cspctl fix --help' and 'cspctl images --help' for their flags.
)";

constexpr const char* kScanUsageTemplate = R"(Usage: cspctl scan [flags] PATH...

Evaluates every workload (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,
ReplicationController, PodTemplate, the kinds of --kinds; List and *List expanded) in PATH against the policies and
prints the verdict. PATH is a file, a directory (read recursively: *.yaml, *.yml, *.json), or -
for stdin. Multi-document YAML and JSON are accepted. Docker inputs are judged by the same
rules: Compose files (top-level `services`, no `kind`) and `docker inspect` output in PATH, and
`docker run` lines (docs/controls.md "Docker and Compose").

Flags:
  -p, --policy FILE      a ContainerSecurityPolicy (YAML or JSON); repeat for several, each is
                         evaluated and reported under its own name. Default: the default policy
                         (every control but require-image-signature, with its defaults)
      --kinds FILE       WorkloadKind declarations (YAML or JSON; repeatable): objects of
                         those custom kinds are judged too, each pod template on its own
                         (docs/api.md "WorkloadKind")
      --pod-security-standard LEVEL  also (or, without -p, only) evaluate the policy
                         "pss-LEVEL": every control as the Pod Security Standards ask at
                         baseline or restricted (spec.podSecurityStandard)
  -o, --output FORMAT    table (default), json or yaml (the PolicyReports the operator would
                         write, as a v1 List), sarif (SARIF 2.1.0 for code-scanning UIs)
      --run-line CMD     judge a `docker run`/`podman run` command line; repeatable
      --run-lines FILE   judge a file of them (one a line, \ continues; - for stdin)
      --env-file FILE    values for Compose ${VAR} interpolation, after the environment
                         (default: the .env beside each Compose file)
      --report-api API   the reports of -o json|yaml: wgpolicyk8s (default: PolicyReport,
                         wgpolicyk8s.io/v1alpha2), openreports (Report, openreports.io/
                         v1alpha1) or both (each report in both)
  -n, --namespace NS     namespace of workloads that name none (default "default")
      --now TIME         evaluate as of this RFC 3339 time (exemption expiry, report
                         timestamps) instead of the current time
      --color WHEN       auto (default: only on a terminal, and not with NO_COLOR set),
                         always or never
      --verify-images    verify require-image-signature's keys against the registries (cosign
                         signatures, both layouts); without it those checks are `skip`. Keys
                         from a policy's inline publicKey; a secretRef key gives `error`
%REGISTRY%  -h, --help             this text

Exit status: 0 no failing result, 1 at least one failing result, 2 usage or input error
(it wins over 1). Input errors are printed to stderr as FILE:LINE: message; the other
documents are still scanned.
)";

std::string ScanUsage() {
  std::string text = kScanUsageTemplate;
  text.replace(text.find("%REGISTRY%"), 10, cspctl::kRegistryFlagsUsage);
  return text;
}

int Scan(int argc, char** argv) {
  csp::scan::ScanOptions options;
  options.now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string color = "auto";
  bool verify_images = false;
  cspctl::RegistryFlags registry_flags;
  auto usage = [](const std::string& message) { return cspctl::Usage("scan", message); };
  cspctl::FlagReader args(argc, argv);
  while (args.Next()) {
    const std::string& name = args.name();
    const std::string& value = args.value();
    if (args.positional()) {
      options.paths.push_back(args.arg());
    } else if (name == "-h" || name == "--help") {
      std::cout << ScanUsage();
      return 0;
    } else if (name == "--kinds") {
      if (!args.Take()) return usage("--kinds needs a file");
      options.kind_files.push_back(value);
    } else if (std::string error; cspctl::ParseInputFlag(args, options, error)) {
      if (!error.empty()) return usage(error);
    } else if (name == "-o" || name == "--output") {
      if (!args.Take()) return usage(name + " needs a format");
      if (value == "table") {
        options.format = csp::scan::Format::kTable;
      } else if (value == "json") {
        options.format = csp::scan::Format::kJson;
      } else if (value == "yaml") {
        options.format = csp::scan::Format::kYaml;
      } else if (value == "sarif") {
        options.format = csp::scan::Format::kSarif;
      } else {
        return usage("unknown output format \"" + value + "\" (table, json, yaml or sarif)");
      }
    } else if (name == "--run-line") {
      if (!args.Take()) return usage("--run-line needs a command");
      options.run_lines.push_back(value);
    } else if (name == "--run-lines") {
      if (!args.Take()) return usage("--run-lines needs a file");
      options.run_line_files.push_back(value);
    } else if (name == "--env-file") {
      if (!args.Take()) return usage("--env-file needs a file");
      options.env_files.push_back(value);
    } else if (name == "--report-api") {
      if (!args.Take()) return usage("--report-api needs a value");
      options.report_apis = csp::names::ReportApisOf(value);
      if (options.report_apis.empty()) {
        return usage("--report-api: \"" + value + "\" is not " +
                     std::string(csp::names::kReportApiChoices));
      }
    } else if (name == "--color") {
      if (!args.Take() || (value != "auto" && value != "always" && value != "never")) {
        return usage("--color takes auto, always or never");
      }
      color = value;
    } else if (name == "--verify-images") {
      verify_images = true;
    } else if (auto r = cspctl::ParseRegistryFlag(args, registry_flags);
               r != cspctl::FlagParse::kNotMine) {
      if (r == cspctl::FlagParse::kMissingValue) return usage(name + " needs a value");
    } else {
      return usage("unknown flag " + args.arg());
    }
  }
  if (options.paths.empty() && options.run_lines.empty() && options.run_line_files.empty()) {
    return usage("scan needs at least one PATH (- for stdin) or --run-line/--run-lines");
  }
  options.environment = csp::scan::ProcessEnvironment;
  options.color = color == "always" ||
                  (color == "auto" && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr);
  std::unique_ptr<cspctl::RegistryAccess> registry;
  if (verify_images) {
    auto opened = cspctl::OpenRegistryAccess(registry_flags);
    if (!opened) return usage(opened.error().message);
    registry = std::move(*opened);
    options.signatures = [&registry](const csp::policy::Policy& p) {
      return std::make_unique<csp::imageverify::PolicySignatures>(
          *registry->registry.verifier, csp::imageverify::InlinePolicyKeys(p), registry->keychain);
    };
  }
  std::ios::sync_with_stdio(false);
  // The process ends right after the output is written: freeing the result (every result's
  // strings, most allocated by the reading threads) would take an eighth of a large scan's time
  // on the one thread left (docs/benchmarks.md), so it is kept, reachable, until exit.
  static auto* const kept = new csp::scan::ScanResult;
  return csp::scan::RunScan(options, std::cin, std::cout, std::cerr, kept);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  if (command == "scan") return Scan(argc - 2, argv + 2);
  if (command == "fix") return cspctl::Fix(argc - 2, argv + 2);
  if (command == "images") return cspctl::Images(argc - 2, argv + 2);
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
