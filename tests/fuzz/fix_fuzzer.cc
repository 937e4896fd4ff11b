// Feeds arbitrary bytes to `cspctl fix` as the text of a manifest file: the fixes the engine
// computes for it, and a few fixed patches, placed into each document. Whatever the input,
// PatchYaml must refuse or return text that reads back as the patched document (it checks
// that itself), never crash, hang or grow without bound.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "csp/fix/yaml_patch.h"
#include "csp/fix/yaml_source.h"
#include "csp/scan/scan.h"

namespace {

const char* const kPatches[] = {
    R"([{"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false}])",
    R"([{"op":"add","path":"/spec/securityContext","value":{}},
        {"op":"add","path":"/spec/securityContext/seccompProfile","value":{}},
        {"op":"add","path":"/spec/securityContext/seccompProfile/type","value":"RuntimeDefault"}])",
    R"([{"op":"add","path":"/spec/containers/0/securityContext/capabilities/drop/-","value":"ALL"},
        {"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add/1"},
        {"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add/0"}])",
    R"([{"op":"remove","path":"/spec/containers/0/securityContext/capabilities/add"}])",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto docs = csp::fix::ParseSource(text);
  const std::size_t documents = docs ? std::min<std::size_t>(docs->size(), 4) : 1;
  std::vector<nlohmann::json> patches;
  for (const char* p : kPatches) patches.push_back(nlohmann::json::parse(p));
  std::istringstream in(text);
  std::ostringstream err;
  csp::scan::ScanResult result = csp::scan::Scan({.paths = {"-"}}, in, err);
  for (const auto& w : result.workloads) {
    for (const auto& results : w.results) {
      if (!results) continue;
      for (const auto& r : *results) {
        if (!r.patch.is_null()) patches.push_back(r.patch);
      }
    }
  }
  for (std::size_t d = 0; d < documents; ++d) {
    for (const nlohmann::json& patch : patches) {
      (void)csp::fix::PatchYaml(text, {.document = d}, patch);
    }
  }
  return 0;
}
