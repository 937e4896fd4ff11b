#include "csp/agent/profile_sync.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/fake_apparmor.h"
#include "temp_dir.h"

namespace csp::agent {
namespace {

using csp::test::ReadText;
using csp::test::TempDir;
using csp::test::WriteText;
using test::FakeAppArmor;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

DesiredProfile Seccomp(const std::string& name, const std::string& bytes) {
  return {.kind = profiles::ProfileKind::kSeccomp,
          .name = name,
          .rendered = std::make_shared<const profiles::RenderedProfile>(profiles::RenderedProfile{
              .kind = profiles::ProfileKind::kSeccomp, .name = name, .bytes = bytes})};
}

DesiredProfile AppArmor(const std::string& name, const std::string& text) {
  return {.kind = profiles::ProfileKind::kAppArmor,
          .name = name,
          .rendered = std::make_shared<const profiles::RenderedProfile>(profiles::RenderedProfile{
              .kind = profiles::ProfileKind::kAppArmor, .name = name, .bytes = text})};
}

struct stat Stat(const std::filesystem::path& path) {
  struct stat st = {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st;
}

class ProfileSyncTest : public testing::Test {
 protected:
  std::filesystem::path SeccompFile(const std::string& name) {
    return root_.path() / "var/lib/kubelet/seccomp/containersecurity" / (name + ".json");
  }
  std::filesystem::path AppArmorFile(const std::string& name) {
    return root_.path() / "etc/apparmor.d/containersecurity" / name;
  }

  TempDir root_;
  ProfileWriter writer_{ProfileLayout::ForRoot(root_.path())};
  FakeAppArmor apparmor_;
  ProfileInstaller installer_{writer_, apparmor_};
  ProfileSync sync_{installer_, {.base = 1s, .max = 4s}};
  Clock::time_point t0_ = Clock::now();
};

TEST_F(ProfileSyncTest, InstallsOnceAndRemembers) {
  const std::vector<DesiredProfile> desired = {Seccomp("a", "{}\n"),
                                               AppArmor("b", "profile b {}\n")};
  std::vector<ProfileOutcome> outcomes = sync_.Sync(desired, false, t0_);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0], (ProfileOutcome{.kind = profiles::ProfileKind::kSeccomp,
                                         .name = "a",
                                         .state = NodeProfileState::kInstalled,
                                         .message = "installed"}));
  EXPECT_EQ(outcomes[1].message, "installed and loaded");
  EXPECT_EQ(ReadText(SeccompFile("a")), "{}\n");
  EXPECT_EQ(sync_.stats().written, 2u);

  // An unrelated event: nothing touched, the parser not even asked.
  const auto calls = apparmor_.calls.size();
  EXPECT_EQ(sync_.Sync(desired, false, t0_ + 1s), outcomes);
  EXPECT_EQ(apparmor_.calls.size(), calls);
  EXPECT_EQ(sync_.stats().written, 2u);
  EXPECT_EQ(sync_.stats().unchanged, 0u);
}

TEST_F(ProfileSyncTest, FullPassRechecksWithoutRewriting) {
  const std::vector<DesiredProfile> desired = {Seccomp("a", "{}\n")};
  sync_.Sync(desired, false, t0_);
  const struct stat before = Stat(SeccompFile("a"));
  sync_.Sync(desired, true, t0_ + 1s);
  const struct stat after = Stat(SeccompFile("a"));
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
  EXPECT_EQ(sync_.stats().unchanged, 1u);
}

TEST_F(ProfileSyncTest, ChangedBytesAreWritten) {
  sync_.Sync({Seccomp("a", "{}\n")}, false, t0_);
  sync_.Sync({Seccomp("a", "{\"x\":1}\n")}, false, t0_ + 1s);
  EXPECT_EQ(ReadText(SeccompFile("a")), "{\"x\":1}\n");
}

TEST_F(ProfileSyncTest, ProfilesNoLongerDesiredAreRemoved) {
  sync_.Sync({Seccomp("a", "{}\n"), AppArmor("b", "profile b {}\n")}, false, t0_);
  ASSERT_TRUE(apparmor_.loaded.contains("b"));
  sync_.Sync({Seccomp("a", "{}\n")}, false, t0_ + 1s);
  EXPECT_FALSE(std::filesystem::exists(AppArmorFile("b")));
  EXPECT_FALSE(apparmor_.loaded.contains("b"));
  EXPECT_TRUE(std::filesystem::exists(SeccompFile("a")));
  EXPECT_EQ(sync_.stats().removed, 1u);
  ASSERT_EQ(sync_.removals().size(), 1u);
  EXPECT_EQ(sync_.removals()[0].name, "b");
  EXPECT_EQ(sync_.removals()[0].kind, profiles::ProfileKind::kAppArmor);
  EXPECT_EQ(sync_.removals()[0].error, "");
  sync_.Sync({Seccomp("a", "{}\n")}, false, t0_ + 2s);
  EXPECT_TRUE(sync_.removals().empty());
}

// A full pass also removes what the agent never installed in this run: profiles of objects
// deleted while it was down.
TEST_F(ProfileSyncTest, FullPassRemovesStrays) {
  WriteText(SeccompFile("stray"), "{}\n");
  WriteText(AppArmorFile("stray"), "profile stray {}\n");
  WriteText(root_.path() / "var/lib/kubelet/seccomp/containersecurity/notes.txt", "keep me");
  sync_.Sync({Seccomp("a", "{}\n")}, false, t0_);
  EXPECT_TRUE(std::filesystem::exists(SeccompFile("stray")));  // incremental: only what it knows
  sync_.Sync({Seccomp("a", "{}\n")}, true, t0_ + 1s);
  EXPECT_FALSE(std::filesystem::exists(SeccompFile("stray")));
  EXPECT_FALSE(std::filesystem::exists(AppArmorFile("stray")));
  EXPECT_TRUE(std::filesystem::exists(root_.path() /
                                      "var/lib/kubelet/seccomp/containersecurity/notes.txt"));
  EXPECT_EQ(sync_.stats().removed, 2u);
}

// A refused object reports Failed and leaves the version the node already holds in place.
TEST_F(ProfileSyncTest, RefusedProfileKeepsTheInstalledVersion) {
  sync_.Sync({Seccomp("a", "{}\n")}, false, t0_);
  DesiredProfile refused{
      .kind = profiles::ProfileKind::kSeccomp, .name = "a", .error = "spec: broken"};
  std::vector<ProfileOutcome> outcomes = sync_.Sync({refused}, false, t0_ + 1s);
  EXPECT_EQ(outcomes[0].state, NodeProfileState::kFailed);
  EXPECT_EQ(outcomes[0].message, "spec: broken");
  EXPECT_EQ(ReadText(SeccompFile("a")), "{}\n");
  sync_.Sync({refused}, true, t0_ + 2s);
  EXPECT_EQ(ReadText(SeccompFile("a")), "{}\n");
}

TEST_F(ProfileSyncTest, FailedInstallsAreRetriedWithBackoff) {
  apparmor_.load_error = Error{Code::kInternal, "kernel said no"};
  const std::vector<DesiredProfile> desired = {AppArmor("b", "profile b {}\n")};
  EXPECT_EQ(sync_.Sync(desired, false, t0_)[0].state, NodeProfileState::kFailed);
  EXPECT_EQ(sync_.NextRetry(), t0_ + 1s);
  const auto loads = [&] {
    return std::count(apparmor_.calls.begin(), apparmor_.calls.end(), "load b");
  };
  EXPECT_EQ(loads(), 1);
  sync_.Sync(desired, false, t0_ + 500ms);  // not yet due
  EXPECT_EQ(loads(), 1);
  sync_.Sync(desired, false, t0_ + 1s);  // due: second failure, next wait doubles
  EXPECT_EQ(loads(), 2);
  EXPECT_EQ(sync_.NextRetry(), t0_ + 3s);
  apparmor_.load_error.reset();
  const std::vector<ProfileOutcome> ok = sync_.Sync(desired, false, t0_ + 3s);
  EXPECT_EQ(ok[0].state, NodeProfileState::kInstalled);
  EXPECT_EQ(sync_.NextRetry(), std::nullopt);
}

// The object behind a failed install is edited into one the agent refuses: its old bytes are no
// longer wanted, so nothing is due. (A due time left in the past would wake the install loop at
// once, pass after pass, until the next full resync.)
TEST_F(ProfileSyncTest, RefusedProfileLeavesNoRetryDue) {
  apparmor_.load_error = Error{Code::kInternal, "kernel said no"};
  EXPECT_EQ(sync_.Sync({AppArmor("b", "profile b {}\n")}, false, t0_)[0].state,
            NodeProfileState::kFailed);
  const DesiredProfile refused{
      .kind = profiles::ProfileKind::kAppArmor, .name = "b", .error = "spec: broken"};
  sync_.Sync({refused}, false, t0_ + 2s);
  EXPECT_EQ(sync_.NextRetry(), std::nullopt);

  // Fixed again, even to the same bytes: installed at once, not after a backoff.
  apparmor_.load_error.reset();
  EXPECT_EQ(sync_.Sync({AppArmor("b", "profile b {}\n")}, false, t0_ + 3s)[0].state,
            NodeProfileState::kInstalled);
  // Deleted: still known, so removed without waiting for a full pass.
  sync_.Sync({}, false, t0_ + 4s);
  EXPECT_FALSE(std::filesystem::exists(AppArmorFile("b")));
}

TEST_F(ProfileSyncTest, AppArmorWithoutAppArmorIsUnsupported) {
  apparmor_.available = false;
  const std::vector<ProfileOutcome> outcomes =
      sync_.Sync({AppArmor("b", "profile b {}\n")}, false, t0_);
  EXPECT_EQ(outcomes[0].state, NodeProfileState::kUnsupported);
  EXPECT_EQ(outcomes[0].message, "AppArmor not available on this node: test");
  EXPECT_FALSE(std::filesystem::exists(AppArmorFile("b")));
  EXPECT_EQ(sync_.NextRetry(), std::nullopt);
}

}  // namespace
}  // namespace csp::agent
