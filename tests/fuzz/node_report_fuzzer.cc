// Feeds arbitrary bytes to the agent's node report merge, both as the report it reads back from
// the API server (when they parse as JSON) and as a profile's status message (a parser's output
// can be any bytes). The merged report must serialize (it is PUT as JSON), and merging it again
// with the same results must change nothing, so that an agent with no news writes nothing.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "csp/agent/node_report.h"

namespace {

using csp::agent::NodeProfileResult;
using csp::agent::NodeProfileState;
using csp::profiles::ProfileKind;

constexpr char kNode[] = "node-a";

std::size_t ResultsOf(const nlohmann::json& report, const std::string& node) {
  std::size_t count = 0;
  for (const nlohmann::json& result : report["results"]) {
    if (result.is_object() && result.contains("properties") && result["properties"].is_object() &&
        result["properties"].value("node", "") == node) {
      ++count;
    }
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  nlohmann::json existing = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (existing.is_discarded()) existing = nullptr;
  const std::vector<NodeProfileResult> results = {
      {.kind = ProfileKind::kSeccomp, .name = "csp-default", .state = NodeProfileState::kInstalled},
      {.kind = ProfileKind::kAppArmor,
       .name = "csp-default",
       .state = NodeProfileState::kFailed,
       .message = bytes},
  };
  const nlohmann::json merged = csp::agent::MergeNodeReport(existing, kNode, results, 100);
  (void)merged.dump();  // throws (and so fails) on a string that is not UTF-8
  if (ResultsOf(merged, kNode) != results.size()) __builtin_trap();
  int counted = 0;
  for (const auto& [outcome, count] : merged["summary"].items()) counted += count.get<int>();
  if (counted > static_cast<int>(merged["results"].size())) __builtin_trap();
  if (csp::agent::MergeNodeReport(merged, kNode, results, 200) != merged) __builtin_trap();
  return 0;
}
