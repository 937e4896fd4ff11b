#include "csp/kube/lease_record.h"

#include <cstdio>
#include <ctime>

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

std::string FormatMicroTime(std::chrono::system_clock::time_point t) {
  const auto micros = std::chrono::floor<std::chrono::microseconds>(t);
  const auto seconds = std::chrono::floor<std::chrono::seconds>(micros);
  const std::time_t tt = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&tt, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  const int fraction = static_cast<int>((micros - seconds).count());  // [0, 999999]
  std::string out = buf;
  const std::string digits = std::to_string(fraction);
  out.append(".").append(6 - digits.size(), '0').append(digits).append("Z");
  return out;
}

}  // namespace csp::kube
