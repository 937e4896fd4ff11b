// LeaseRecord <-> Lease spec (the MicroTime format: tests/common/rfc3339_test.cc).
#include "csp/kube/lease_record.h"

#include <gtest/gtest.h>

#include <chrono>

namespace csp::kube {
namespace {

using namespace std::chrono;

TEST(LeaseRecordTest, ReadsTheSpec) {
  const LeaseRecord record = LeaseRecordFromLease(nlohmann::json::parse(R"({
      "spec": {"holderIdentity": "pod-a", "leaseDurationSeconds": 15,
               "acquireTime": "2024-05-01T10:00:00.000000Z",
               "renewTime": "2024-05-01T10:00:05.000000Z", "leaseTransitions": 3}})"));
  EXPECT_EQ(record.holder_identity, "pod-a");
  EXPECT_EQ(record.lease_duration_seconds, 15);
  EXPECT_EQ(record.acquire_time, "2024-05-01T10:00:00.000000Z");
  EXPECT_EQ(record.renew_time, "2024-05-01T10:00:05.000000Z");
  EXPECT_EQ(record.lease_transitions, 3);
}

TEST(LeaseRecordTest, MissingOrMistypedFieldsStayEmpty) {
  for (const char* lease : {R"({})", R"({"spec":null})", R"([])",
                            R"({"spec":{"holderIdentity":7,"leaseDurationSeconds":"15"}})"}) {
    const LeaseRecord record = LeaseRecordFromLease(nlohmann::json::parse(lease));
    EXPECT_EQ(record.holder_identity, "") << lease;
    EXPECT_EQ(record.lease_duration_seconds, 0) << lease;
    EXPECT_EQ(record.lease_transitions, 0) << lease;
  }
}

TEST(LeaseRecordTest, SpecRoundTrips) {
  const LeaseRecord record{.holder_identity = "b",
                           .lease_duration_seconds = 1,
                           .acquire_time = "2024-05-01T10:00:00.000000Z",
                           .renew_time = "2024-05-01T10:00:01.000000Z",
                           .lease_transitions = 9};
  const LeaseRecord back = LeaseRecordFromLease({{"spec", LeaseSpec(record)}});
  EXPECT_EQ(back.holder_identity, "b");
  EXPECT_EQ(back.lease_duration_seconds, 1);
  EXPECT_EQ(back.acquire_time, record.acquire_time);
  EXPECT_EQ(back.renew_time, record.renew_time);
  EXPECT_EQ(back.lease_transitions, 9);
}

TEST(LeaseRecordTest, ReleasedSpecKeepsAnEmptyHolder) {
  const nlohmann::json spec = LeaseSpec({.lease_duration_seconds = 1});
  EXPECT_EQ(spec["holderIdentity"], "") << "an explicit empty holder, as client-go writes";
  EXPECT_FALSE(spec.contains("renewTime")) << "no invalid empty timestamp";
}

}  // namespace
}  // namespace csp::kube
