// PlanCertificates step by step: creation, idempotence, each rotation step and its reason,
// and damaged Secret data.
#include "csp/certs/rotation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "csp/certs/certificates.h"

namespace csp::certs {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::sys_days;
using std::chrono::sys_seconds;
using ::testing::ElementsAre;
using ::testing::StartsWith;

const sys_seconds kT0 = sys_days{std::chrono::year(2030) / 1 / 1};

// Applies plans at `now` until nothing changes (at most 10 steps); returns the reasons.
std::vector<std::string> Converge(SecretData& data, const Settings& settings,
                                  std::chrono::sys_seconds now, bool propagated) {
  std::vector<std::string> reasons;
  for (int i = 0; i < 10; ++i) {
    auto plan = PlanCertificates(data, settings, now, propagated);
    EXPECT_TRUE(plan) << plan.error().message;
    if (!plan || !plan->changed) return reasons;
    reasons.push_back(plan->reason);
    data = std::move(plan->data);
  }
  ADD_FAILURE() << "no fixed point after 10 steps";
  return reasons;
}

Settings DefaultSettings() {
  return {.dns_names = {"csp-webhook.csp-system.svc"}, .ip_addresses = {"127.0.0.1"}};
}

SecretData Created(const Settings& settings = DefaultSettings(), sys_seconds now = kT0) {
  auto plan = PlanCertificates({}, settings, now, false);
  EXPECT_TRUE(plan) << plan.error().message;
  return plan ? plan->data : SecretData{};
}

size_t BundleSize(const SecretData& data) {
  auto bundle = ReadBundle(data.at(kCaCertKey));
  return bundle ? bundle->size() : 0;
}

// The Secret is usable: tls.crt verifies against ca.crt, and each key is its cert's.
void ExpectConsistent(const SecretData& data, sys_seconds now) {
  Status chain = VerifyChain(data.at(kTlsCertKey), data.at(kCaCertKey), now);
  EXPECT_TRUE(chain) << chain.error().message;
  EXPECT_TRUE(KeyMatchesCert(data.at(kTlsCertKey), data.at(kTlsKeyKey)));
  auto tls = ReadBundle(data.at(kTlsCertKey));
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->size(), 1u) << "tls.crt holds the serving certificate alone";
}

TEST(PlanCertificatesTest, CreatesFromNothing) {
  auto plan = PlanCertificates({}, DefaultSettings(), kT0, false);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->changed);
  EXPECT_EQ(plan->reason, "created");
  std::vector<std::string> keys;
  for (const auto& [key, value] : plan->data) keys.push_back(key);
  EXPECT_THAT(keys, ElementsAre("ca.crt", "ca.key", "tls.crt", "tls.key"));
  ExpectConsistent(plan->data, kT0);
  EXPECT_TRUE(KeyMatchesCert(plan->data.at(kCaCertKey), plan->data.at(kCaKeyKey)));

  auto ca = ReadCert(plan->data.at(kCaCertKey));
  auto tls = ReadCert(plan->data.at(kTlsCertKey));
  ASSERT_TRUE(ca && tls);
  EXPECT_TRUE(ca->is_ca);
  EXPECT_EQ(ca->common_name, "csp-operator-webhook-ca@1893456000");
  EXPECT_EQ(ca->not_before, kT0 - hours(1));  // clock skew
  EXPECT_EQ(ca->not_after, kT0 + days(365));
  EXPECT_EQ(tls->not_after, kT0 + days(90));
  EXPECT_THAT(tls->dns_names, ElementsAre("csp-webhook.csp-system.svc"));
  EXPECT_THAT(tls->ip_addresses, ElementsAre("127.0.0.1"));
}

TEST(PlanCertificatesTest, ChangesNothingWhenNothingIsDue) {
  SecretData data = Created();
  data["unrelated"] = "kept";
  for (auto at : {kT0, kT0 + days(1), kT0 + days(59)}) {
    for (bool propagated : {false, true}) {
      auto plan = PlanCertificates(data, DefaultSettings(), at, propagated);
      ASSERT_TRUE(plan) << plan.error().message;
      EXPECT_FALSE(plan->changed) << plan->reason;
      EXPECT_EQ(plan->reason, "");
      EXPECT_EQ(plan->data, data);
    }
  }
}

// Lifetimes of minutes (the e2e rotation test's): the hour of backdating must not count as
// lifetime, or a new CA is in its "last third" at once and the plan never settles. A serving
// certificate cut short by its CA's expiry is not renewed again and again before the CA rotates.
TEST(PlanCertificatesTest, ShortLifetimesSettleBetweenSteps) {
  Settings settings = DefaultSettings();
  settings.ca_lifetime = std::chrono::seconds(90);
  settings.serving_lifetime = std::chrono::seconds(30);
  SecretData data = Created(settings);
  for (bool propagated : {false, true}) {
    auto plan = PlanCertificates(data, settings, kT0 + std::chrono::seconds(5), propagated);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_FALSE(plan->changed) << plan->reason;
  }
  // Stepping through two CA lifetimes a second at a time: a bounded number of changes (each
  // serving renewal and CA rotation), never a change at every step.
  int changes = 0;
  for (int s = 1; s <= 180; ++s) {
    auto plan = PlanCertificates(data, settings, kT0 + std::chrono::seconds(s), true);
    ASSERT_TRUE(plan) << plan.error().message;
    if (plan->changed) {
      ++changes;
      data = std::move(plan->data);
    }
    ExpectConsistent(data, kT0 + std::chrono::seconds(s));
  }
  EXPECT_LE(changes, 30);
  EXPECT_GE(changes, 6);
}

TEST(PlanCertificatesTest, IpSpellingAndOrderOfSansAreNoChange) {
  Settings settings = {.dns_names = {"b.svc", "a.svc", "::1"}, .ip_addresses = {"10.0.0.1"}};
  SecretData data = Created(settings);
  Settings respelled = {.dns_names = {"a.svc", "b.svc"}, .ip_addresses = {"10.0.0.1", "0:0::1"}};
  auto plan = PlanCertificates(data, respelled, kT0 + days(1), false);
  ASSERT_TRUE(plan);
  EXPECT_FALSE(plan->changed) << plan->reason;
}

TEST(PlanCertificatesTest, ReissuesTheServingCertWhenSansChange) {
  SecretData data = Created();
  Settings settings = DefaultSettings();
  settings.dns_names.push_back("csp-webhook.csp-system.svc.cluster.local");
  auto plan = PlanCertificates(data, settings, kT0 + days(1), false);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->changed);
  EXPECT_EQ(plan->reason, "SANs changed");
  EXPECT_EQ(plan->data.at(kCaCertKey), data.at(kCaCertKey));  // no propagation needed
  EXPECT_EQ(plan->data.at(kCaKeyKey), data.at(kCaKeyKey));
  auto tls = ReadCert(plan->data.at(kTlsCertKey));
  ASSERT_TRUE(tls);
  EXPECT_THAT(tls->dns_names, ElementsAre("csp-webhook.csp-system.svc",
                                          "csp-webhook.csp-system.svc.cluster.local"));
  ExpectConsistent(plan->data, kT0 + days(1));
}

TEST(PlanCertificatesTest, RenewsTheServingCertInItsLastThird) {
  SecretData data = Created();
  auto early = PlanCertificates(data, DefaultSettings(), kT0 + days(59), false);
  ASSERT_TRUE(early);
  EXPECT_FALSE(early->changed);
  auto due = PlanCertificates(data, DefaultSettings(), kT0 + days(61), false);
  ASSERT_TRUE(due);
  EXPECT_TRUE(due->changed);
  EXPECT_EQ(due->reason, "serving certificate renewed (expires 2030-04-01T00:00:00Z)");
  EXPECT_EQ(due->data.at(kCaCertKey), data.at(kCaCertKey));
  auto tls = ReadCert(due->data.at(kTlsCertKey));
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->not_after, kT0 + days(61 + 90));
}

TEST(PlanCertificatesTest, RotatesTheCaInOrder) {
  SecretData data = Created();
  // Day 240: only the serving certificate was due meanwhile.
  EXPECT_THAT(Converge(data, DefaultSettings(), kT0 + days(240), true),
              ElementsAre(StartsWith("serving certificate renewed")));
  const std::string old_ca = data.at(kCaCertKey);
  const std::string old_tls = data.at(kTlsCertKey);

  // Day 250: the CA is in its last third. A next CA joins the bundle; serving is unchanged.
  auto add = PlanCertificates(data, DefaultSettings(), kT0 + days(250), true);
  ASSERT_TRUE(add);
  EXPECT_EQ(add->reason,
            "new CA added to the bundle (the signing CA expires 2031-01-01T00:00:00Z)");
  data = add->data;
  EXPECT_EQ(BundleSize(data), 2u);
  EXPECT_TRUE(data.at(kCaCertKey).starts_with(old_ca));
  EXPECT_EQ(data.at(kTlsCertKey), old_tls);
  ASSERT_TRUE(data.contains(kNextCaKeyKey));

  // Not yet propagated: nothing to do.
  auto wait = PlanCertificates(data, DefaultSettings(), kT0 + days(251), false);
  ASSERT_TRUE(wait);
  EXPECT_FALSE(wait->changed) << wait->reason;

  // Propagated: the next CA signs the serving certificate; the old CA stays trusted.
  const std::string next_key = data.at(kNextCaKeyKey);
  auto sw = PlanCertificates(data, DefaultSettings(), kT0 + days(251), true);
  ASSERT_TRUE(sw);
  EXPECT_EQ(sw->reason, "serving certificate switched to the new CA");
  EXPECT_EQ(sw->data.at(kCaCertKey), data.at(kCaCertKey));
  EXPECT_EQ(sw->data.at(kCaKeyKey), next_key);
  EXPECT_FALSE(sw->data.contains(kNextCaKeyKey));
  EXPECT_FALSE(VerifyChain(sw->data.at(kTlsCertKey), old_ca, kT0 + days(251)));
  ExpectConsistent(sw->data, kT0 + days(251));
  data = sw->data;

  // Day 366: the old CA expired and leaves the bundle.
  auto reasons = Converge(data, DefaultSettings(), kT0 + days(366), true);
  EXPECT_THAT(reasons, ::testing::Contains("expired CA removed from the bundle"));
  EXPECT_EQ(BundleSize(data), 1u);
  ExpectConsistent(data, kT0 + days(366));
}

// The new CA waits for the API server to trust it (a sync step or more); a serving
// certificate due meanwhile must not wait with it, or it can expire first (seen with 30 s
// lifetimes under load: the next step came after the serving certificate's end).
TEST(PlanCertificatesTest, RenewsADueServingCertWhileTheNewCaJoins) {
  SecretData data = Created();
  Converge(data, DefaultSettings(), kT0 + days(240), true);  // serving renewed: ends day 330
  const std::string old_tls = data.at(kTlsCertKey);
  auto add = PlanCertificates(data, DefaultSettings(), kT0 + days(320), false);
  ASSERT_TRUE(add);
  EXPECT_THAT(add->reason, StartsWith("new CA added to the bundle"));
  EXPECT_THAT(add->reason, ::testing::HasSubstr("serving certificate renewed"));
  EXPECT_EQ(BundleSize(add->data), 2u);
  EXPECT_NE(add->data.at(kTlsCertKey), old_tls);
  auto tls = ReadCert(add->data.at(kTlsCertKey));
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->not_after, kT0 + days(365));  // the signing CA's end
  ExpectConsistent(add->data, kT0 + days(320));
}

TEST(PlanCertificatesTest, SwitchesWithoutPropagationOnlyWhenTheOldCaExpired) {
  SecretData data = Created();
  Converge(data, DefaultSettings(), kT0 + days(250), false);
  ASSERT_TRUE(data.contains(kNextCaKeyKey));
  auto plan = PlanCertificates(data, DefaultSettings(), kT0 + days(366), false);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->reason, "serving certificate switched to the new CA");
  ExpectConsistent(plan->data, kT0 + days(366));
}

TEST(PlanCertificatesTest, RecreatesWhenTheCaExpiredWithoutSuccessor) {
  SecretData data = Created();
  auto plan = PlanCertificates(data, DefaultSettings(), kT0 + days(400), true);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->reason, "signing CA expired at 2031-01-01T00:00:00Z before a new CA was trusted");
  EXPECT_NE(plan->data.at(kCaCertKey), data.at(kCaCertKey));
  ExpectConsistent(plan->data, kT0 + days(400));
}

TEST(PlanCertificatesTest, RefusesSettingsWithoutUsableSans) {
  for (const Settings& bad : {Settings{}, Settings{.ip_addresses = {"example.com"}}}) {
    auto plan = PlanCertificates({}, bad, kT0, false);
    ASSERT_FALSE(plan);
    EXPECT_EQ(plan.error().code, Code::kInvalidArgument);
  }
}

// Damage done to a freshly created Secret, and what the plan must say and keep.
struct DamageCase {
  const char* name;
  std::function<void(SecretData&, const SecretData& other)> damage;  // other: another Secret
  const char* want_reason_prefix;
  bool keeps_ca;  // ca.crt and ca.key unchanged: no propagation needed, no failed request
};
void PrintTo(const DamageCase& c, std::ostream* os) { *os << c.name; }

const DamageCase kDamageCases[] = {
    {"ca_crt_garbage", [](SecretData& d, const SecretData&) { d[kCaCertKey] = "garbage"; },
     "unreadable: ca.crt: no PEM certificate found", false},
    {"ca_crt_missing", [](SecretData& d, const SecretData&) { d.erase(kCaCertKey); },
     "unreadable: ca.crt missing", false},
    {"ca_key_garbage", [](SecretData& d, const SecretData&) { d[kCaKeyKey] = "garbage"; },
     "unreadable: ca.key: no readable PEM private key", false},
    {"ca_key_of_another_ca",
     [](SecretData& d, const SecretData& o) { d[kCaKeyKey] = o.at(kCaKeyKey); },
     "unreadable: ca.key is the key of no CA in ca.crt", false},
    {"ca_crt_is_a_serving_cert",
     [](SecretData& d, const SecretData&) {
       d[kCaCertKey] = d[kTlsCertKey];
       d[kCaKeyKey] = d[kTlsKeyKey];
     },
     "unreadable: ca.key is the key of no CA in ca.crt", false},
    {"only_tls_left",
     [](SecretData& d, const SecretData&) {
       d.erase(kCaCertKey);
       d.erase(kCaKeyKey);
     },
     "unreadable: ca.crt missing", false},
    {"tls_crt_garbage", [](SecretData& d, const SecretData&) { d[kTlsCertKey] = "garbage"; },
     "serving certificate reissued: tls.crt: no PEM certificate found", true},
    {"tls_crt_missing", [](SecretData& d, const SecretData&) { d.erase(kTlsCertKey); },
     "serving certificate reissued: tls.crt missing", true},
    {"tls_key_empty", [](SecretData& d, const SecretData&) { d[kTlsKeyKey] = ""; },
     "serving certificate reissued: tls.key missing", true},
    {"tls_key_of_another_cert",
     [](SecretData& d, const SecretData& o) { d[kTlsKeyKey] = o.at(kTlsKeyKey); },
     "serving certificate reissued: tls.key is not the key of tls.crt", true},
    {"tls_from_another_ca",
     [](SecretData& d, const SecretData& o) {
       d[kTlsCertKey] = o.at(kTlsCertKey);
       d[kTlsKeyKey] = o.at(kTlsKeyKey);
     },
     "serving certificate reissued: tls.crt is not issued by the signing CA", true},
    {"tls_crt_with_ca_appended",
     [](SecretData& d, const SecretData&) { d[kTlsCertKey] += d[kCaCertKey]; },
     "serving certificate reissued: tls.crt holds 2 certificates", true},
    {"next_key_garbage", [](SecretData& d, const SecretData&) { d[kNextCaKeyKey] = "x"; },
     "unusable ca-next.key removed (no readable PEM private key", true},
    {"next_key_is_the_signing_key",
     [](SecretData& d, const SecretData&) { d[kNextCaKeyKey] = d[kCaKeyKey]; },
     "unusable ca-next.key removed (the signing CA's key)", true},
    {"next_key_of_no_ca_in_the_bundle",
     [](SecretData& d, const SecretData& o) { d[kNextCaKeyKey] = o.at(kCaKeyKey); },
     "unusable ca-next.key removed (the key of no CA in ca.crt)", true},
};

class DamagedSecretTest : public ::testing::TestWithParam<DamageCase> {};

TEST_P(DamagedSecretTest, IsRepairedWithTheLeastChange) {
  const DamageCase& c = GetParam();
  const sys_seconds now = kT0 + days(1);
  SecretData data = Created();
  const SecretData original = data;
  c.damage(data, Created());
  auto plan = PlanCertificates(data, DefaultSettings(), now, true);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->changed);
  EXPECT_THAT(plan->reason, StartsWith(c.want_reason_prefix));
  if (c.keeps_ca) {
    EXPECT_EQ(plan->data.at(kCaCertKey), original.at(kCaCertKey));
    EXPECT_EQ(plan->data.at(kCaKeyKey), original.at(kCaKeyKey));
  } else {
    EXPECT_NE(plan->data.at(kCaCertKey), original.at(kCaCertKey));
  }
  EXPECT_FALSE(plan->data.contains(kNextCaKeyKey));
  ExpectConsistent(plan->data, now);
  // Repaired in one step: the next plan has nothing to do.
  auto again = PlanCertificates(plan->data, DefaultSettings(), now, true);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->changed) << again->reason;
}

INSTANTIATE_TEST_SUITE_P(Damage, DamagedSecretTest, ::testing::ValuesIn(kDamageCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(PlanCertificatesTest, KeepsKeysItDoesNotOwn) {
  SecretData data{{"owner-note", "hand written"}};
  auto plan = PlanCertificates(data, DefaultSettings(), kT0, false);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->reason, "created");
  EXPECT_EQ(plan->data.at("owner-note"), "hand written");
}

}  // namespace
}  // namespace csp::certs
