#include "images_command.h"

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "csp/imageverify/image_report.h"
#include "csp/imageverify/policy_signatures.h"
#include "csp/manifest/sources.h"
#include "csp/scan/scan.h"
#include "csp/signature/public_key.h"
#include "flag_reader.h"
#include "registry_access.h"

namespace cspctl {
namespace {

constexpr const char* kImagesUsage = R"(Usage: cspctl images [flags] PATH...

Lists every image of the workloads in PATH once (files, directories or - for stdin, as for
scan; Compose services and docker inspect containers too, ${VAR} from the environment and the
Compose file's .env) with its digest, the cosign signatures found (bundle: the v3 Sigstore bundle referrer;
legacy: the sha256-<hex>.sig tag), the key that verifies them, or why none does. Meant for
finding what still relies on Docker Content Trust, which Docker retires on 2026-12-08.

Flags:
  -p, --policy FILE      trust the keys of this policy's require-image-signature (inline
                         publicKey only; secretRef keys cannot be read offline); repeatable
      --key FILE         trust this PEM public key, named after the file (release.pub ->
                         release); repeatable. Without keys: only whether signatures exist
  -o, --output FORMAT    table (default) or json
  -n, --namespace NS     namespace of workloads that name none (default "default")
)";

constexpr const char* kImagesExit = R"(  -h, --help             this text

Exit status: 0 every image verified (without keys: every image checked), 1 some image not
verified or its registry failed, 2 usage or input error.
)";

// The keys of require-image-signature in each policy file (problems are warned about).
bool AddPolicyKeys(const std::vector<std::string>& files,
                   std::vector<csp::signature::NamedKey>& keys) {
  csp::scan::ScanOptions options{.policy_files = files};
  csp::scan::ScanResult policies = csp::scan::Scan(options, std::cin, std::cerr);
  if (policies.input_errors > 0) return false;
  for (const csp::policy::Policy& p : policies.policies) {
    csp::imageverify::PolicyKeys k = csp::imageverify::InlinePolicyKeys(p);
    for (const std::string& problem : k.problems) {
      std::cerr << "cspctl: warning: policy " << p.name << ": " << problem << '\n';
    }
    keys.insert(keys.end(), k.keys.begin(), k.keys.end());
  }
  return true;
}

}  // namespace

int Images(int argc, char** argv) {
  std::vector<std::string> paths, policy_files, key_files;
  std::string output = "table", ns = "default";
  RegistryFlags registry_flags;
  auto usage = [](const std::string& message) { return Usage("images", message); };
  FlagReader args(argc, argv);
  while (args.Next()) {
    const std::string& name = args.name();
    if (args.positional()) {
      paths.push_back(args.arg());
    } else if (name == "-h" || name == "--help") {
      std::cout << kImagesUsage << kRegistryFlagsUsage << kImagesExit;
      return 0;
    } else if (name == "-p" || name == "--policy") {
      if (!args.Take()) return usage(name + " needs a file");
      policy_files.push_back(args.value());
    } else if (name == "--key") {
      if (!args.Take()) return usage("--key needs a file");
      key_files.push_back(args.value());
    } else if (name == "-o" || name == "--output") {
      if (!args.Take() || (args.value() != "table" && args.value() != "json")) {
        return usage(name + " takes table or json");
      }
      output = args.value();
    } else if (name == "-n" || name == "--namespace") {
      if (!args.Take() || args.value().empty()) return usage(name + " needs a namespace");
      ns = args.value();
    } else if (auto r = ParseRegistryFlag(args, registry_flags); r != FlagParse::kNotMine) {
      if (r == FlagParse::kMissingValue) return usage(name + " needs a value");
    } else {
      return usage("unknown flag " + args.arg());
    }
  }
  if (paths.empty()) return usage("images needs at least one PATH (- for stdin)");

  std::vector<csp::signature::NamedKey> keys;
  for (const std::string& file : key_files) {
    auto pem = csp::manifest::ReadFile(file);
    if (!pem) return usage(pem.error().message);
    auto key = csp::signature::ParsePublicKey(*pem);
    if (!key) return usage(file + ": " + key.error().message);
    keys.push_back({.name = std::filesystem::path(file).stem().string(), .key = *key});
  }
  if (!policy_files.empty() && !AddPolicyKeys(policy_files, keys)) return 2;
  auto registry = OpenRegistryAccess(registry_flags);
  if (!registry) return usage(registry.error().message);

  int input_errors = 0;
  const csp::scan::ScanOptions inputs{
      .paths = paths, .environment = csp::scan::ProcessEnvironment, .default_namespace = ns};
  std::vector<csp::scan::InputImage> images =
      csp::scan::ListImages(inputs, std::cin, std::cerr, input_errors);
  std::vector<csp::imageverify::ImageRow> rows;
  bool all_ok = true;
  for (csp::scan::InputImage& image : images) {
    csp::imageverify::VerifyResult r =
        (*registry)->registry.verifier->Verify(image.image, keys, (*registry)->keychain);
    all_ok &= r.verdict == csp::policy::SignatureVerdict::kVerified ||
              (keys.empty() && r.verdict != csp::policy::SignatureVerdict::kError);
    rows.push_back({.image = std::move(image.image), .users = std::move(image.users), .result = r});
  }
  const bool have_keys = !keys.empty();
  if (output == "json") {
    std::cout << csp::imageverify::ImageReportJson(rows, have_keys).dump(2) << '\n';
  } else {
    csp::imageverify::WriteImageTable(rows, have_keys, std::cout);
  }
  if (input_errors > 0) return 2;
  return all_ok ? 0 : 1;
}

}  // namespace cspctl
