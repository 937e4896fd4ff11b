// A ContainerSecurityPolicy's status (api.md): observedGeneration, the Ready condition, workload
// counts, per-exemption matched/expired, where admission runs, and with a preset its level and
// where the policy departs from it. Pure: the caller passes the time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "csp/controllers/evaluation.h"

namespace csp::controllers {

// The counts of one policy's evaluations. The operator keeps one per (namespace, policy) and
// merges them, so a policy's status does not need every workload evaluated at once.
struct PolicyTally {
  std::int64_t total = 0;
  std::int64_t passing = 0;
  std::int64_t failing = 0;
  std::int64_t exempted = 0;
  // Workloads whose remediation under this policy is stopped because another field manager put
  // it back (docs/remediation.md "Revert detection"); counted by the caller.
  std::int64_t reverted = 0;
  std::vector<std::int64_t> exemption_matched = {};  // by exemption index
  // (rule id, result) -> workloads with that result, for metrics.
  std::map<std::pair<std::string, std::string>, std::int64_t> rule_results = {};

  // Counts one workload: failing when any result is fail or error, else exempted when any
  // result was skipped by an exemption, else passing.
  void Add(const Evaluation& evaluation);
  void Merge(const PolicyTally& other);
  bool operator==(const PolicyTally&) const = default;
};

struct StatusInput {
  std::int64_t generation = 0;  // metadata.generation of the policy object
  // The parsed policy, or null when its spec is invalid (then `parse_error` says why).
  const policy::Policy* policy = nullptr;
  std::string parse_error = {};
  // This policy's evaluations: one per workload it matched.
  std::span<const Evaluation> evaluations = {};
  // The counts, when the caller tallied them itself; then `evaluations` is not read.
  const PolicyTally* tally = nullptr;
  std::chrono::sys_seconds now = {};
  // Namespaces the policy may cover whose last reconcile failed: the counts are what could be
  // evaluated, and Ready is False (reason ReconcileFailed) naming them.
  std::span<const std::string> failed_namespaces = {};
  // The current status (or null): the Ready condition keeps its lastTransitionTime unless its
  // status flips.
  const nlohmann::json* previous = nullptr;
};

// The desired status object. A workload is failing when any result is fail or error, else
// exempted when any result was skipped by an exemption, else passing. An exemption has
// expired when its `expires` is at or before `now`; `matched` counts workloads it exempted
// from at least one rule. An invalid spec gives Ready=False/InvalidSpec with the parse error
// and no counts; failed namespaces give Ready=False/ReconcileFailed, counts included.
nlohmann::json BuildPolicyStatus(const StatusInput& input);

// True when writing `desired` over `current` would change something other than a condition's
// lastTransitionTime (a flip changes its status too, so it is never hidden).
bool StatusChanged(const nlohmann::json& current, const nlohmann::json& desired);

// RFC 3339 UTC, seconds precision: "2026-03-31T00:00:00Z".
std::string FormatTime(std::chrono::sys_seconds t);

}  // namespace csp::controllers
