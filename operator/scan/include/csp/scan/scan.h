// `cspctl scan`: manifests in, the verdicts the operator would give out. The same engine and
// report builder as the operator; this layer only reads files and prints.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csp/names/names.h"
#include "csp/policy/engine.h"

namespace csp::scan {

enum class Format { kTable, kJson, kYaml, kSarif };

struct ScanOptions {
  // none (and no pod_security_standard): the default policy of controls.md
  std::vector<std::string> policy_files = {};
  // --pod-security-standard: a policy "pss-<level>" holding only that preset, besides any
  // policy files.
  std::optional<policy::PssLevel> pod_security_standard = {};
  std::vector<std::string> paths = {};  // files, directories, "-" for stdin
  // --kinds: WorkloadKind files (api.md "WorkloadKind"); the objects of the kinds they declare
  // are judged once per pod template. An invalid one refuses the scan, as a policy does.
  std::vector<std::string> kind_files = {};
  // Docker inputs besides Compose files and inspect output in `paths` (docs/controls.md
  // "Docker and Compose"): `docker run` lines given inline (--run-line), and files of them
  // (--run-lines; "-" for stdin).
  std::vector<std::string> run_lines = {};
  std::vector<std::string> run_line_files = {};
  // Compose interpolation: the environment first, then --env-file files (KEY=VALUE lines) for
  // what it leaves unset; without env_files, the .env file beside each Compose file, if any.
  // An unset `environment` has no variables.
  std::function<std::optional<std::string>(std::string_view)> environment = {};
  std::vector<std::string> env_files = {};
  std::string default_namespace = "default";
  std::chrono::sys_seconds now = {};
  Format format = Format::kTable;
  // -o json|yaml: each report in each of these APIs (--report-api), in kReportApis order.
  std::vector<names::ReportApi> report_apis = {names::ReportApi::kWgPolicyK8s};
  bool color = false;
  // Signature verdicts for rule 8, made per policy (they depend on its keys); unset: offline,
  // rule 8's keys give `skip`. Called once per policy; the result lives for the scan.
  std::function<std::unique_ptr<policy::ImageSignatures>(const policy::Policy&)> signatures = {};
  // Workloads in YAML read straight from the parser's events where possible (the fast path,
  // manifest/tape_workload.h); false: every document as a JSON tree. Same results either way.
  bool read_yaml_events = true;
};

// A workload found in the input, with its results per policy (nullopt: not matched).
struct ScannedWorkload {
  policy::WorkloadRef ref = {};
  std::string file = {};
  int line = 0;
  policy::Labels labels = {};
  std::vector<std::optional<std::vector<policy::RuleResult>>> results = {};
};

// The workload's name as table and SARIF output show it: "train[Worker]" for a custom kind's
// pod template (each is judged on its own), else the name.
std::string DisplayName(const policy::WorkloadRef& ref);

struct ScanResult {
  std::vector<policy::Policy> policies = {};
  std::vector<std::string> policy_files = {};  // where each policy came from ("" = default)
  std::vector<ScannedWorkload> workloads = {};
  int input_errors = 0;
  bool aborted = false;  // a policy was invalid, so nothing was scanned
  bool any_fail = false;
};

// Reads policies and manifests, evaluates every workload. Input errors are printed to `err`
// as `FILE:LINE: message` and counted; reading goes on with the next document.
ScanResult Scan(const ScanOptions& options, std::istream& in, std::ostream& err);

// One image of the input, with every container that names it ("Deployment default/web:
// container \"app\""), in input order.
struct InputImage {
  std::string image = {};
  std::vector<std::string> users = {};
};

// Every distinct image of the workloads and Docker containers in options.paths, in order of
// first appearance (options' default_namespace, environment and env_files apply as in Scan).
// Input errors go to `err` as in Scan and are counted in `input_errors`.
std::vector<InputImage> ListImages(const ScanOptions& options, std::istream& in, std::ostream& err,
                                   int& input_errors);

// The process environment's value of `name` (ScanOptions::environment for the CLI).
std::optional<std::string> ProcessEnvironment(std::string_view name);

// Exit code of controls.md: 2 on any input error, else 1 on any fail, else 0.
int ExitCode(const ScanResult& result);

void WriteReports(const ScanResult& result, const ScanOptions& options, std::ostream& out);
void WriteSarif(const ScanResult& result, const ScanOptions& options, std::ostream& out);
void WriteTable(const ScanResult& result, const ScanOptions& options, std::ostream& out);

// Scan, write in options.format, return the exit code. With `keep`, the result is moved there
// instead of being freed (see cspctl's main).
int RunScan(const ScanOptions& options, std::istream& in, std::ostream& out, std::ostream& err,
            ScanResult* keep = nullptr);

}  // namespace csp::scan
