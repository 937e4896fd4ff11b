#include "csp/agent/pass_plan.h"

#include <gtest/gtest.h>

#include <ostream>

namespace csp::agent {

// Readable failures: the step names and the removal's target instead of bytes.
void PrintTo(ProfileStep step, std::ostream* out) {
  constexpr const char* kNames[] = {"Install", "Keep", "RetryLater", "Refused"};
  *out << kNames[static_cast<int>(step)];
}
void PrintTo(const ProfileAction& action, std::ostream* out) {
  PrintTo(action.step, out);
  *out << "(" << action.outcome.name << ", " << NodeProfileStateName(action.outcome.state) << ", "
       << action.outcome.message << ")";
}
void PrintTo(const RemovalAction& removal, std::ostream* out) {
  *out << profiles::ProfileKindName(removal.kind) << (removal.sweep ? " sweep" : " remove ")
       << removal.name;
  for (const std::string& name : removal.keep) *out << " keep:" << name;
}

namespace {

using namespace std::chrono_literals;
using profiles::ProfileKind;
using Bytes = std::shared_ptr<const profiles::RenderedProfile>;

// A fixed instant: the planner never reads a clock.
SyncTimePoint At(std::chrono::seconds offset) { return SyncTimePoint{} + 1000s + offset; }

Bytes Render(ProfileKind kind, const std::string& name, const std::string& bytes) {
  return std::make_shared<const profiles::RenderedProfile>(
      profiles::RenderedProfile{.kind = kind, .name = name, .bytes = bytes});
}

// Shared by cases and expectations, so that KnownState compares equal by pointer.
const Bytes kA1 = Render(ProfileKind::kSeccomp, "a", "{\"v\":1}");
const Bytes kA1Copy = Render(ProfileKind::kSeccomp, "a", "{\"v\":1}");  // equal bytes
const Bytes kA2 = Render(ProfileKind::kSeccomp, "a", "{\"v\":2}");
const Bytes kB1 = Render(ProfileKind::kAppArmor, "b", "profile b {}\n");

DesiredProfile Want(const Bytes& rendered) {
  return {.kind = rendered->kind, .name = rendered->name, .rendered = rendered};
}
DesiredProfile Refused(ProfileKind kind, const std::string& name, const std::string& error) {
  return {.kind = kind, .name = name, .error = error};
}

KnownProfile Installed(const Bytes& rendered) {
  return {.rendered = rendered,
          .state = NodeProfileState::kInstalled,
          .message = "installed",
          .retry_at = At(1s)};
}
KnownProfile Failed(const Bytes& rendered, int failures, SyncTimePoint retry_at) {
  return {.rendered = rendered,
          .state = NodeProfileState::kFailed,
          .message = "parser says no",
          .failures = failures,
          .retry_at = retry_at};
}
ProfileKey Key(const Bytes& rendered) { return {rendered->kind, rendered->name}; }

ProfileAction Install(ProfileKind kind, const std::string& name) {
  return {.step = ProfileStep::kInstall, .outcome = {.kind = kind, .name = name}};
}
ProfileAction Reported(ProfileStep step, ProfileKind kind, const std::string& name,
                       NodeProfileState state, const std::string& message) {
  return {.step = step,
          .outcome = {.kind = kind, .name = name, .state = state, .message = message}};
}
RemovalAction Remove(ProfileKind kind, const std::string& name) {
  return {.kind = kind, .name = name};
}
RemovalAction Sweep(ProfileKind kind, std::set<std::string> keep) {
  return {.kind = kind, .sweep = true, .keep = std::move(keep)};
}

struct PlanCase {
  std::string name;
  std::vector<DesiredProfile> desired;
  KnownState known;
  bool full;
  SyncTimePoint now;
  std::vector<RemovalAction> removals;
  std::vector<ProfileAction> profiles;
  KnownState known_after;  // what the pass starts from
};

void PrintTo(const PlanCase& c, std::ostream* out) { *out << c.name; }

class PlanPassTest : public testing::TestWithParam<PlanCase> {};

TEST_P(PlanPassTest, DecidesEveryStep) {
  const PlanCase& c = GetParam();
  const PassPlan plan = PlanPass(c.desired, c.known, c.full, c.now);
  EXPECT_EQ(plan.removals, c.removals);
  EXPECT_EQ(plan.profiles, c.profiles);
  EXPECT_TRUE(plan.known == c.known_after);
}

constexpr auto kSeccomp = ProfileKind::kSeccomp;
constexpr auto kAppArmor = ProfileKind::kAppArmor;
const KnownState kNothing;

const KnownState kKnowsA{.profiles = {{Key(kA1), Installed(kA1)}}};
const KnownState kKnowsAFailed{.profiles = {{Key(kA1), Failed(kA1, 2, At(1s))}}};
const KnownProfile kBUnsupportedKnown{
    .rendered = kB1, .state = NodeProfileState::kUnsupported, .message = "no AppArmor"};
const ProfileAction kKeepA =
    Reported(ProfileStep::kKeep, kSeccomp, "a", NodeProfileState::kInstalled, "installed");
const ProfileKey kX{kSeccomp, "x"};

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Cases, PlanPassTest,
    testing::Values(
        //       name
        //       desired, known, full, now, removals, profiles, known_after
        PlanCase{"new_profiles_are_installed_in_desired_order",
                 {Want(kB1), Want(kA1)}, kNothing, false, At(0s), {},
                 {Install(kAppArmor, "b"), Install(kSeccomp, "a")}, kNothing},
        PlanCase{"same_bytes_are_kept",
                 {Want(kA1)}, kKnowsA, false, At(0s), {}, {kKeepA}, kKnowsA},
        PlanCase{"equal_bytes_from_a_new_parse_are_kept",
                 {Want(kA1Copy)}, kKnowsA, false, At(0s), {}, {kKeepA}, kKnowsA},
        PlanCase{"changed_bytes_are_installed",
                 {Want(kA2)}, kKnowsA, false, At(0s), {}, {Install(kSeccomp, "a")}, kKnowsA},
        PlanCase{"unsupported_is_kept",
                 {Want(kB1)}, {.profiles = {{Key(kB1), kBUnsupportedKnown}}}, false, At(0s), {},
                 {Reported(ProfileStep::kKeep, kAppArmor, "b", NodeProfileState::kUnsupported,
                           "no AppArmor")},
                 {.profiles = {{Key(kB1), kBUnsupportedKnown}}}},
        PlanCase{"failure_waits_until_its_retry_is_due",
                 {Want(kA1)}, kKnowsAFailed, false, At(0s), {},
                 {Reported(ProfileStep::kRetryLater, kSeccomp, "a", NodeProfileState::kFailed,
                           "parser says no")},
                 kKnowsAFailed},
        PlanCase{"failure_is_retried_when_due",
                 {Want(kA1)}, kKnowsAFailed, false, At(1s), {}, {Install(kSeccomp, "a")},
                 kKnowsAFailed},
        PlanCase{"failure_with_new_bytes_is_retried_at_once",
                 {Want(kA2)}, kKnowsAFailed, false, At(0s), {}, {Install(kSeccomp, "a")},
                 kKnowsAFailed},
        PlanCase{"refused_object_keeps_the_installed_version",
                 {Refused(kSeccomp, "a", "spec.seccomp: required")}, kKnowsA, false, At(0s), {},
                 {Reported(ProfileStep::kRefused, kSeccomp, "a", NodeProfileState::kFailed,
                           "spec.seccomp: required")},
                 kKnowsA},
        PlanCase{"refused_after_a_failure_retries_nothing",
                 {Refused(kSeccomp, "a", "spec.seccomp: required")}, kKnowsAFailed, false,
                 At(5s), {},
                 {Reported(ProfileStep::kRefused, kSeccomp, "a", NodeProfileState::kFailed,
                           "spec.seccomp: required")},
                 {.profiles = {{Key(kA1), Failed(nullptr, 2, At(1s))}}}},
        PlanCase{"refused_failed_entry_matches_no_bytes",
                 {Want(kA1)}, {.profiles = {{Key(kA1), Failed(nullptr, 2, At(60s))}}}, false,
                 At(0s), {}, {Install(kSeccomp, "a")},
                 {.profiles = {{Key(kA1), Failed(nullptr, 2, At(60s))}}}},
        PlanCase{"profiles_no_longer_desired_are_removed_and_forgotten",
                 {Want(kA1)},
                 {.profiles = {{Key(kA1), Installed(kA1)}, {Key(kB1), Installed(kB1)}}},
                 false, At(0s), {Remove(kAppArmor, "b")}, {kKeepA}, kKnowsA},
        PlanCase{"failed_removal_waits_until_due",
                 {}, {.removal_retries = {{kX, At(1s)}}}, false, At(0s), {}, {},
                 {.removal_retries = {{kX, At(1s)}}}},
        PlanCase{"failed_removal_is_retried_when_due",
                 {}, {.removal_retries = {{kX, At(1s)}}}, false, At(1s),
                 {Remove(kSeccomp, "x")}, {}, kNothing},
        PlanCase{"wanted_again_cancels_a_pending_removal",
                 {Want(kA1)}, {.removal_retries = {{Key(kA1), At(0s)}}}, false, At(5s), {},
                 {Install(kSeccomp, "a")}, kNothing},
        PlanCase{"full_pass_forgets_and_sweeps_each_kind",
                 {Want(kA1), Want(kB1)},
                 {.profiles = {{Key(kA1), Installed(kA1)}, {{kSeccomp, "old"}, Installed(kA2)}},
                  .removal_retries = {{{kAppArmor, "x"}, At(0s)}}},
                 true, At(0s), {Sweep(kSeccomp, {"a"}), Sweep(kAppArmor, {"b"})},
                 {Install(kSeccomp, "a"), Install(kAppArmor, "b")}, kNothing},
        PlanCase{"full_pass_with_nothing_desired_sweeps_everything",
                 {}, kKnowsA, true, At(0s), {Sweep(kSeccomp, {}), Sweep(kAppArmor, {})}, {},
                 kNothing}),
    [](const auto& info) { return info.param.name; });
// clang-format on

struct InstallCase {
  std::string name;
  std::optional<KnownProfile> before;
  Bytes rendered;
  InstallResult result;
  ProfileOutcome outcome;
  int failures;
  std::chrono::seconds retry_after;
};

void PrintTo(const InstallCase& c, std::ostream* out) { *out << c.name; }

class RecordInstallTest : public testing::TestWithParam<InstallCase> {};

TEST_P(RecordInstallTest, ReportsAndRemembers) {
  const InstallCase& c = GetParam();
  KnownState known;
  if (c.before) known.profiles[Key(c.rendered)] = *c.before;
  const RetryPolicy retry{.base = 1s, .max = 8s};
  EXPECT_EQ(RecordInstall(known, Want(c.rendered), c.result, At(0s), retry), c.outcome);
  const KnownProfile& after = known.profiles.at(Key(c.rendered));
  EXPECT_EQ(after.rendered, c.rendered);
  EXPECT_EQ(after.state, c.outcome.state);
  EXPECT_EQ(after.message, c.outcome.message);
  EXPECT_EQ(after.failures, c.failures);
  EXPECT_EQ(after.retry_at, At(c.retry_after));
}

const InstallResult kWritten{.state = InstallState::kInstalled};
const InstallResult kDiskFull{.state = InstallState::kFailed, .message = "disk full"};
const ProfileOutcome kAInstalled{
    .kind = kSeccomp, .name = "a", .state = NodeProfileState::kInstalled, .message = "installed"};
const ProfileOutcome kAFailed{
    .kind = kSeccomp, .name = "a", .state = NodeProfileState::kFailed, .message = "disk full"};
const ProfileOutcome kBLoaded{.kind = kAppArmor,
                              .name = "b",
                              .state = NodeProfileState::kInstalled,
                              .message = "installed and loaded"};
const ProfileOutcome kBUnsupported{.kind = kAppArmor,
                                   .name = "b",
                                   .state = NodeProfileState::kUnsupported,
                                   .message = "no AppArmor"};

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Cases, RecordInstallTest,
    testing::Values(
        //          name                                before                      rendered
        //          result     outcome  failures retry_after
        InstallCase{"written",                          std::nullopt,               kA1,
                    kWritten,  kAInstalled, 0, 1s},
        InstallCase{"already_right",                    std::nullopt,               kA1,
                    {.state = InstallState::kUnchanged}, kAInstalled, 0, 1s},
        InstallCase{"apparmor_is_loaded_too",           std::nullopt,               kB1,
                    kWritten,  kBLoaded, 0, 1s},
        InstallCase{"unsupported",                      std::nullopt,               kB1,
                    {.state = InstallState::kUnsupported, .message = "no AppArmor"},
                    kBUnsupported, 0, 1s},
        InstallCase{"first_failure_waits_base",         std::nullopt,               kA1,
                    kDiskFull, kAFailed, 1, 1s},
        InstallCase{"fresh_after_success",              Installed(kA1),             kA1,
                    kDiskFull, kAFailed, 1, 1s},
        InstallCase{"same_bytes_failing_again_doubles", Failed(kA1, 2, At(0s)),     kA1,
                    kDiskFull, kAFailed, 3, 4s},
        InstallCase{"equal_bytes_count_as_the_same",    Failed(kA1Copy, 2, At(0s)), kA1,
                    kDiskFull, kAFailed, 3, 4s},
        InstallCase{"delay_stops_at_max",               Failed(kA1, 9, At(0s)),     kA1,
                    kDiskFull, kAFailed, 10, 8s},
        InstallCase{"new_bytes_start_over",             Failed(kA2, 5, At(0s)),     kA1,
                    kDiskFull, kAFailed, 1, 1s},
        InstallCase{"success_resets_failures",          Failed(kA1, 5, At(0s)),     kA1,
                    kWritten,  kAInstalled, 0, 1s}),
    [](const auto& info) { return info.param.name; });
// clang-format on

TEST(RecordRemovalTest, FailureIsRetriedAfterBaseAndSuccessForgetsIt) {
  KnownState known;
  RecordRemoval(known, kX, true, At(0s), {.base = 3s});
  EXPECT_EQ(known.removal_retries, (std::map<ProfileKey, SyncTimePoint>{{kX, At(3s)}}));
  RecordRemoval(known, kX, true, At(3s), {.base = 3s});
  EXPECT_EQ(known.removal_retries.at(kX), At(6s));
  RecordRemoval(known, kX, false, At(6s), {.base = 3s});
  EXPECT_TRUE(known.removal_retries.empty());
}

struct WakeCase {
  std::string name;
  KnownState known;
  std::optional<SyncTimePoint> wake;
};

void PrintTo(const WakeCase& c, std::ostream* out) { *out << c.name; }

class NextWakeUpTest : public testing::TestWithParam<WakeCase> {};

TEST_P(NextWakeUpTest, IsTheEarliestRetry) {
  EXPECT_EQ(NextWakeUp(GetParam().known), GetParam().wake);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NextWakeUpTest,
    testing::Values(
        WakeCase{"nothing_known", kNothing, std::nullopt},
        WakeCase{"installed_profiles_never_wake",
                 {.profiles = {{Key(kA1), Installed(kA1)}}},
                 std::nullopt},
        WakeCase{"a_failed_install", {.profiles = {{Key(kA1), Failed(kA1, 1, At(7s))}}}, At(7s)},
        WakeCase{"a_failure_whose_object_was_refused",
                 {.profiles = {{Key(kA1), Failed(nullptr, 1, At(7s))}}},
                 std::nullopt},
        WakeCase{"a_failed_removal", {.removal_retries = {{kX, At(9s)}}}, At(9s)},
        WakeCase{"the_earliest_of_both",
                 {.profiles = {{Key(kA1), Failed(kA1, 1, At(7s))}, {Key(kB1), Installed(kB1)}},
                  .removal_retries = {{kX, At(5s)}}},
                 At(5s)}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace csp::agent
