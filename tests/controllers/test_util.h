// Builders shared by the controllers tests: policies parsed by the real parser, workloads of
// every kind around a compliant or violating pod spec, evaluated by the real engine.
#pragma once

#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "csp/controllers/evaluation.h"

namespace csp::controllers::test {

using json = nlohmann::json;

inline std::chrono::sys_seconds Now() {
  return std::chrono::sys_days(std::chrono::year(2026) / 3 / 1) + std::chrono::hours(12);
}

// A pod spec that passes every default rule.
json GoodPodSpec();
// GoodPodSpec with container "app" privileged: fails disallow-privileged only.
json BadPodSpec();

// A workload of `kind` in namespace "default" with the pod spec where the kind keeps it.
// `spec_extra` is merged into spec (replicas, suspend, ...), `metadata_extra` into metadata.
json MakeWorkload(std::string_view kind, std::string_view name, const json& pod_spec,
                  const json& spec_extra = json::object(),
                  const json& metadata_extra = json::object());

// Parses a ContainerSecurityPolicy with this spec (JSON text); fails the test when invalid.
policy::Policy MakePolicy(std::string_view name, std::string_view spec);

// Evaluates `object` under `policies` (stable storage: evaluations point into it).
std::vector<Evaluation> MustEvaluate(const std::deque<policy::Policy>& policies, const json& object,
                                     std::chrono::sys_seconds now = Now());

}  // namespace csp::controllers::test
