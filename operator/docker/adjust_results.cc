#include "csp/docker/adjust_results.h"

#include <algorithm>
#include <array>

namespace csp::docker {
namespace {

constexpr std::array<std::string_view, 3> kNotRead = {
    "restrict-host-ports", "disallow-host-process", "restrict-probe-hosts"};

}  // namespace

void AdjustResults(const DockerContainer& container, std::vector<policy::RuleResult>& results) {
  for (policy::RuleResult& r : results) {
    // A patch against the pod spec made for the container would not apply to a Compose file
    // or a run line: where the control has a fix, the container's options must change instead.
    // (The pod spec is not an object a patch can name paths in, so the engine may have found
    // no change to make; a reason why there is no fix is kept.)
    auto fix = r.properties.find(std::string(policy::kFixProperty));
    const bool reasoned = fix != r.properties.end() && fix->second.rfind("none (", 0) == 0 &&
                          fix->second != "none (no safe change)";
    if (r.outcome == policy::Outcome::kFail && fix != r.properties.end() && !reasoned) {
      r.patch = nullptr;
      r.properties.erase(std::string(policy::kPatchProperty));
      r.properties[std::string(policy::kFixProperty)] =
          "none (a Docker input: change the container's options)";
    }
    if (std::find(kNotRead.begin(), kNotRead.end(), r.rule) != kNotRead.end()) {
      if (r.outcome == policy::Outcome::kSkip) continue;
      r.outcome = policy::Outcome::kSkip;
      r.message = "not judged for Docker inputs (docs/controls.md \"Docker and Compose\")";
      r.containers.clear();
      r.properties.clear();
    } else if (r.rule == "require-non-root" && r.outcome == policy::Outcome::kFail &&
               (!container.user || container.user->empty())) {
      r.message += " (no user is given, so the image's USER decides, which is unknown offline)";
    }
  }
}

}  // namespace csp::docker
