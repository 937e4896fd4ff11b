#include "csp/fix/kustomize.h"

#include <algorithm>
#include <filesystem>

#include "csp/fix/fix_command.h"
#include "csp/policy/workload.h"

namespace csp::fix {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' ? static_cast<char>(std::tolower(c)) : '_';
  });
  return s;
}

// A YAML scalar that reads back as the string `s`.
std::string Quoted(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace

std::string PatchFileName(const policy::WorkloadRef& ref, const std::vector<std::string>& taken) {
  const std::string base = Lower(ref.kind + "-" + (ref.ns.empty() ? "" : ref.ns + "-") + ref.name);
  std::string name = base + ".json";
  for (int i = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++i) {
    name = base + "-" + std::to_string(i) + ".json";
  }
  return name;
}

std::string Kustomization(const std::vector<WorkloadPatch>& patches,
                          const std::vector<std::string>& files) {
  std::string out =
      "# Written by cspctl fix: the fixes of failing results as JSON Patches (docs/controls.md\n"
      "# \"Fixes\"). List the manifests they patch under resources.\n"
      "apiVersion: kustomize.config.k8s.io/v1beta1\n"
      "kind: Kustomization\n"
      "patches:\n";
  if (patches.empty()) out.replace(out.size() - 1, 1, " []\n");
  for (std::size_t i = 0; i < patches.size(); ++i) {
    const policy::WorkloadRef& ref = patches[i].ref;
    const std::string_view group = policy::ApiGroup(ref.api_version);
    const std::string version = ref.api_version.substr(group.empty() ? 0 : group.size() + 1);
    out += "- path: " + Quoted(files[i]) + "\n  target:\n";
    if (!group.empty()) out += "    group: " + Quoted(std::string(group)) + "\n";
    out += "    version: " + Quoted(version) + "\n";
    out += "    kind: " + Quoted(ref.kind) + "\n";
    out += "    name: " + Quoted(ref.name) + "\n";
    if (patches[i].has_namespace) out += "    namespace: " + Quoted(ref.ns) + "\n";
  }
  return out;
}

Status WriteKustomize(const std::string& dir, const std::vector<WorkloadPatch>& patches) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{Code::kUnavailable, dir + ": " + ec.message()};
  std::vector<std::string> files;
  for (const WorkloadPatch& p : patches) {
    files.push_back(PatchFileName(p.ref, files));
    if (Status s = WriteFileAtomically(dir + "/" + files.back(), p.patch.dump(2) + "\n"); !s) {
      return s;
    }
  }
  return WriteFileAtomically(dir + "/kustomization.yaml", Kustomization(patches, files));
}

}  // namespace csp::fix
