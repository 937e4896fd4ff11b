// The leader-election record kept in a coordination.k8s.io/v1 Lease's spec.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace csp::kube {

struct LeaseRecord {
  std::string holder_identity = {};  // "" when nobody holds the lease (released)
  std::int64_t lease_duration_seconds = 0;
  std::string acquire_time = {};  // MicroTime, informational only
  std::string renew_time = {};    // MicroTime, informational only
  std::int64_t lease_transitions = 0;
};

// Reads the record from a Lease object's spec; missing fields stay at their defaults.
LeaseRecord LeaseRecordFromLease(const nlohmann::json& lease);

// The Lease spec for `record`.
nlohmann::json LeaseSpec(const LeaseRecord& record);

}  // namespace csp::kube
