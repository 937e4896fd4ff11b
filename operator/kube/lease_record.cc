#include "csp/kube/lease_record.h"

namespace csp::kube {
namespace {

std::string StringOr(const nlohmann::json& object, const char* field) {
  const auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t IntOr(const nlohmann::json& object, const char* field) {
  const auto it = object.find(field);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

LeaseRecord LeaseRecordFromLease(const nlohmann::json& lease) {
  LeaseRecord record;
  if (!lease.is_object()) return record;
  const auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return record;
  record.holder_identity = StringOr(*spec, "holderIdentity");
  record.lease_duration_seconds = IntOr(*spec, "leaseDurationSeconds");
  record.acquire_time = StringOr(*spec, "acquireTime");
  record.renew_time = StringOr(*spec, "renewTime");
  record.lease_transitions = IntOr(*spec, "leaseTransitions");
  return record;
}

nlohmann::json LeaseSpec(const LeaseRecord& record) {
  nlohmann::json spec = {{"holderIdentity", record.holder_identity},
                         {"leaseDurationSeconds", record.lease_duration_seconds},
                         {"leaseTransitions", record.lease_transitions}};
  if (!record.acquire_time.empty()) spec["acquireTime"] = record.acquire_time;
  if (!record.renew_time.empty()) spec["renewTime"] = record.renew_time;
  return spec;
}

}  // namespace csp::kube
