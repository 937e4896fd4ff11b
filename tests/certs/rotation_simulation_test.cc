// Years of PlanCertificates as the operator runs it: a reconcile every `step`, the webhook
// configuration's caBundle catching up with ca.crt `lag` reconciles after each change.
// The property: no request ever fails. At every step, each serving certificate a replica may
// still or already serve (tls.crt before and after the step) verifies against each bundle a
// client may hold (the caBundle the API server has, ca.crt before and after the step).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "csp/certs/certificates.h"
#include "csp/certs/rotation.h"

namespace csp::certs {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

const sys_seconds kT0 = sys_days{std::chrono::year(2030) / 1 / 1};

struct SimulationCase {
  const char* name;
  seconds ca_lifetime, serving_lifetime;
  seconds step;  // between reconciles
  int lag;       // reconciles until the caBundle equals ca.crt again
  seconds span;
  int want_ca_rotations;  // CAs switched to, at least
};
void PrintTo(const SimulationCase& c, std::ostream* os) { *os << c.name; }

const SimulationCase kCases[] = {
    {"defaults_daily_for_four_years", days(365), days(90), days(1), 1, days(4 * 365), 3},
    {"defaults_slow_propagation", days(365), days(90), days(1), 20, days(3 * 365), 2},
    {"short_lifetimes_every_six_hours", days(30), days(7), hours(6), 2, days(180), 6},
    {"serving_outlives_a_third_of_the_ca", days(10), days(9), hours(2), 3, days(40), 4},
};

class RotationSimulationTest : public ::testing::TestWithParam<SimulationCase> {};

TEST_P(RotationSimulationTest, NoRequestEverFails) {
  const SimulationCase& c = GetParam();
  const Settings settings{.dns_names = {"csp-webhook.csp-system.svc"},
                          .ip_addresses = {"127.0.0.1"},
                          .ca_lifetime = c.ca_lifetime,
                          .serving_lifetime = c.serving_lifetime};
  auto created = PlanCertificates({}, settings, kT0, false);
  ASSERT_TRUE(created) << created.error().message;
  SecretData data = created->data;
  std::string ca_bundle = data.at(kCaCertKey);  // what the API server trusts
  int reconciles_since_change = 0;
  std::map<std::string, int> reasons;
  size_t max_bundle = 1;

  for (sys_seconds now = kT0; now <= kT0 + c.span; now += c.step) {
    // Each reconcile plans until nothing changes, writing every step (as the operator does).
    for (int i = 0;; ++i) {
      ASSERT_LT(i, 10) << "no fixed point at " << (now - kT0).count() << "s";
      const bool propagated = ca_bundle == data.at(kCaCertKey);
      auto plan = PlanCertificates(data, settings, now, propagated);
      ASSERT_TRUE(plan) << plan.error().message;
      const SecretData& next = plan->data;
      std::set<std::pair<std::string, std::string>> pairs;  // (tls.crt, bundle), each once
      for (const std::string& tls : {data.at(kTlsCertKey), next.at(kTlsCertKey)}) {
        for (const std::string& bundle : {ca_bundle, data.at(kCaCertKey), next.at(kCaCertKey)}) {
          pairs.emplace(tls, bundle);
        }
      }
      for (const auto& [tls, bundle] : pairs) {
        Status s = VerifyChain(tls, bundle, now);
        ASSERT_TRUE(s) << "day " << (now - kT0) / days(1) << " after \"" << plan->reason
                       << "\": " << s.error().message;
      }
      if (!plan->changed) break;
      ++reasons[plan->reason.substr(0, plan->reason.find(" ("))];
      data = plan->data;
      reconciles_since_change = 0;
      auto bundle = ReadBundle(data.at(kCaCertKey));
      ASSERT_TRUE(bundle);
      max_bundle = std::max(max_bundle, bundle->size());
    }
    if (ca_bundle != data.at(kCaCertKey) && ++reconciles_since_change >= c.lag) {
      ca_bundle = data.at(kCaCertKey);
    }
  }

  std::set<std::string> kinds;
  for (const auto& [reason, count] : reasons) kinds.insert(reason);
  EXPECT_EQ(kinds, (std::set<std::string>{
                       "new CA added to the bundle", "serving certificate switched to the new CA",
                       "serving certificate renewed", "expired CA removed from the bundle"}));
  EXPECT_GE(reasons["serving certificate switched to the new CA"], c.want_ca_rotations);
  EXPECT_EQ(reasons["new CA added to the bundle"],
            reasons["serving certificate switched to the new CA"] +
                static_cast<int>(data.contains(kNextCaKeyKey)));
  EXPECT_LE(max_bundle, 3u);
}

INSTANTIATE_TEST_SUITE_P(Lifetimes, RotationSimulationTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace csp::certs
