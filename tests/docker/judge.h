// Test helper: the engine's verdict on one rule for a Docker container, as cspctl scan gets it.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "csp/docker/adjust_results.h"
#include "csp/docker/docker_container.h"
#include "csp/policy/engine.h"

namespace csp::docker::testing {

// The default policy with the controls that are off by default switched on, AppArmor required
// explicitly and rule 8 asking for a digest from docker.io/library.
inline const policy::Policy& AllControlsOn() {
  static const policy::Policy kPolicy = [] {
    auto p = policy::ParsePolicy(nlohmann::json::parse(R"({
      "apiVersion": "containersecurity.dev/v1alpha1", "kind": "ContainerSecurityPolicy",
      "metadata": {"name": "all"},
      "spec": {"controls": {
        "appArmor": {"requireExplicit": true},
        "privilegeEscalation": {"enabled": true},
        "volumeTypes": {"enabled": true},
        "imageSignature": {"enabled": true, "requireDigest": true,
                           "allowedRegistries": ["docker.io/library"]}}}})"));
    EXPECT_TRUE(p) << p.error().message;
    return *p;
  }();
  return kPolicy;
}

// The outcome of `rule` for the container, or kError with the reason in `why`.
inline policy::RuleResult Judge(const DockerContainer& c, std::string_view rule,
                                const policy::Policy& policy = AllControlsOn()) {
  auto spec = PodSpecFromDocker(c);
  if (!spec) return {.outcome = policy::Outcome::kError, .message = spec.error().message};
  const policy::Workload w{.ref = {.kind = std::string(kContainerKind), .name = c.name},
                           .object = &*spec,
                           .pod_spec = &*spec,
                           .pod_spec_path = "spec"};
  auto results = policy::Evaluate(policy, w, {});
  if (!results) return {.outcome = policy::Outcome::kError, .message = results.error().message};
  AdjustResults(c, *results);
  for (policy::RuleResult& r : *results) {
    if (r.rule == rule) return r;
  }
  return {.outcome = policy::Outcome::kError, .message = "no such rule"};
}

}  // namespace csp::docker::testing
