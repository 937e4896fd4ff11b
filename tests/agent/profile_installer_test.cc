#include "csp/agent/profile_installer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "csp/agent/system_apparmor_loader.h"
#include "csp/profiles/apparmor_policy.h"
#include "csp/profiles/default_profiles.h"
#include "support/fake_apparmor.h"
#include "temp_dir.h"

namespace csp::agent {
namespace {

using csp::test::ReadText;
using csp::test::TempDir;
using csp::test::WriteText;
using test::FakeAppArmor;

ino_t Inode(const std::filesystem::path& path) {
  struct stat st = {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

profiles::RenderedProfile AppArmor(const std::string& name, const std::string& text) {
  return {.kind = profiles::ProfileKind::kAppArmor, .name = name, .bytes = text};
}

class ProfileInstallerTest : public testing::Test {
 protected:
  TempDir root_;
  ProfileWriter writer_{ProfileLayout::ForRoot(root_.path())};
  FakeAppArmor apparmor_;
  ProfileInstaller installer_{writer_, apparmor_};
  std::filesystem::path apparmor_dir_ = root_.path() / "etc/apparmor.d/containersecurity";
  std::filesystem::path seccomp_dir_ = root_.path() / "var/lib/kubelet/seccomp/containersecurity";
};

TEST_F(ProfileInstallerTest, InstallsTheDefaultsOnceOnly) {
  Result<std::vector<profiles::RenderedProfile>> defaults = profiles::RenderDefaultProfiles(
      {.machine = "x86_64", .kernel = profiles::KernelVersion{6, 1}});
  ASSERT_TRUE(defaults);
  for (const profiles::RenderedProfile& profile : *defaults) {
    InstallResult first = installer_.Install(profile);
    EXPECT_EQ(first.state, InstallState::kInstalled) << first.message;
  }
  EXPECT_EQ(ReadText(seccomp_dir_ / "csp-default.json"), (*defaults)[0].bytes);
  EXPECT_EQ(ReadText(apparmor_dir_ / "csp-default"), (*defaults)[1].bytes);
  EXPECT_EQ(apparmor_.calls, (std::vector<std::string>{"validate", "load csp-default"}));
  EXPECT_TRUE(apparmor_.loaded.contains("csp-default"));

  apparmor_.calls.clear();
  for (const profiles::RenderedProfile& profile : *defaults) {
    InstallResult again = installer_.Install(profile);
    EXPECT_EQ(again.state, InstallState::kUnchanged) << again.message;
  }
  EXPECT_TRUE(apparmor_.calls.empty());
}

// After a reboot the file is right but the kernel forgot the profile: load it, rewrite nothing.
TEST_F(ProfileInstallerTest, ReloadsAfterAReboot) {
  const profiles::RenderedProfile profile = profiles::RenderDefaultAppArmor();
  ASSERT_EQ(installer_.Install(profile).state, InstallState::kInstalled);
  const ino_t inode = Inode(apparmor_dir_ / "csp-default");
  apparmor_.loaded.clear();
  apparmor_.calls.clear();
  InstallResult again = installer_.Install(profile);
  EXPECT_EQ(again.state, InstallState::kInstalled) << again.message;
  EXPECT_EQ(apparmor_.calls, (std::vector<std::string>{"validate", "load csp-default"}));
  EXPECT_EQ(Inode(apparmor_dir_ / "csp-default"), inode);
}

TEST_F(ProfileInstallerTest, BrokenProfileIsNeverWrittenAndTheOldOneStays) {
  ASSERT_EQ(installer_.Install(AppArmor("app", "profile app { file, }\n")).state,
            InstallState::kInstalled);
  InstallResult broken = installer_.Install(AppArmor("app", "profile app { bogus }\n"));
  EXPECT_EQ(broken.state, InstallState::kFailed);
  EXPECT_EQ(broken.message, "apparmor_parser refused the policy: bogus");
  EXPECT_EQ(ReadText(apparmor_dir_ / "app"), "profile app { file, }\n");
  EXPECT_EQ(apparmor_.calls, (std::vector<std::string>{"validate", "load app", "validate"}));
}

TEST_F(ProfileInstallerTest, OneObjectDeclaresExactlyItsOwnProfile) {
  InstallResult two =
      installer_.Install(AppArmor("app", "profile app { file, }\nprofile csp-default { file, }\n"));
  EXPECT_EQ(two.state, InstallState::kFailed);
  EXPECT_EQ(two.message,
            "AppArmor policy \"app\" must declare exactly one top-level profile, named app (it "
            "declares: app, csp-default)");
  InstallResult other = installer_.Install(AppArmor("app", "profile other { file, }\n"));
  EXPECT_EQ(other.state, InstallState::kFailed);
  EXPECT_FALSE(std::filesystem::exists(apparmor_dir_ / "app"));
}

TEST_F(ProfileInstallerTest, NodeWithoutAppArmorIsAStateNotAFailure) {
  apparmor_.available = false;
  InstallResult result = installer_.Install(profiles::RenderDefaultAppArmor());
  EXPECT_EQ(result.state, InstallState::kUnsupported);
  EXPECT_EQ(result.message, "AppArmor not available on this node: test");
  EXPECT_FALSE(std::filesystem::exists(apparmor_dir_));
  // A broken profile is still reported as broken there.
  EXPECT_EQ(installer_.Install(AppArmor("app", "profile app { bogus }")).state,
            InstallState::kFailed);
  // Seccomp does not care.
  EXPECT_EQ(
      installer_.Install({.kind = profiles::ProfileKind::kSeccomp, .name = "s", .bytes = "{}"})
          .state,
      InstallState::kInstalled);
}

TEST_F(ProfileInstallerTest, LoadFailureIsReported) {
  apparmor_.load_error = Internal("apparmor_parser -r x: Permission denied");
  InstallResult result = installer_.Install(AppArmor("app", "profile app { file, }\n"));
  EXPECT_EQ(result.state, InstallState::kFailed);
  EXPECT_EQ(result.message, "apparmor_parser -r x: Permission denied");
}

TEST_F(ProfileInstallerTest, EscapingNamesAreRefused) {
  InstallResult seccomp = installer_.Install(
      {.kind = profiles::ProfileKind::kSeccomp, .name = "../../../etc/x", .bytes = "{}"});
  EXPECT_EQ(seccomp.state, InstallState::kFailed);
  EXPECT_EQ(seccomp.message,
            "profile name \"../../../etc/x\": must not contain '/' (it would leave the profile "
            "folder)");
  InstallResult apparmor = installer_.Install(AppArmor("..", "profile .. { file, }\n"));
  EXPECT_EQ(apparmor.state, InstallState::kFailed);
  EXPECT_FALSE(std::filesystem::exists(root_.path() / "etc/x"));
  RemoveResult removed = installer_.Remove(profiles::ProfileKind::kAppArmor, "../csp-default");
  EXPECT_FALSE(removed.removed);
  EXPECT_EQ(removed.error,
            "profile name \"../csp-default\": must not contain '/' (it would leave the profile "
            "folder)");
  EXPECT_TRUE(apparmor_.calls.empty());
}

TEST_F(ProfileInstallerTest, RemovesDeletedAndStrayProfiles) {
  for (const char* name : {"keep", "gone", "stray"}) {
    ASSERT_EQ(
        installer_.Install(AppArmor(name, std::string("profile ") + name + " { file, }\n")).state,
        InstallState::kInstalled);
    ASSERT_EQ(
        installer_.Install({.kind = profiles::ProfileKind::kSeccomp, .name = name, .bytes = "{}"})
            .state,
        InstallState::kInstalled);
  }
  RemoveResult gone = installer_.Remove(profiles::ProfileKind::kAppArmor, "gone");
  EXPECT_TRUE(gone.removed);
  EXPECT_EQ(gone.error, "");
  EXPECT_FALSE(apparmor_.loaded.contains("gone"));
  EXPECT_FALSE(std::filesystem::exists(apparmor_dir_ / "gone"));

  Result<std::vector<RemoveResult>> strays =
      installer_.RemoveAllExcept(profiles::ProfileKind::kSeccomp, {"keep"});
  ASSERT_TRUE(strays) << strays.error().message;
  ASSERT_EQ(strays->size(), 2u);
  EXPECT_EQ((*strays)[0].name, "gone");
  EXPECT_EQ((*strays)[1].name, "stray");
  EXPECT_TRUE(std::filesystem::exists(seccomp_dir_ / "keep.json"));
  EXPECT_FALSE(std::filesystem::exists(seccomp_dir_ / "stray.json"));
  // The AppArmor stray is another kind: untouched until its own resync.
  EXPECT_TRUE(apparmor_.loaded.contains("stray"));
  Result<std::vector<RemoveResult>> apparmor_strays =
      installer_.RemoveAllExcept(profiles::ProfileKind::kAppArmor, {"keep"});
  ASSERT_TRUE(apparmor_strays);
  ASSERT_EQ(apparmor_strays->size(), 1u);
  EXPECT_FALSE(apparmor_.loaded.contains("stray"));
  EXPECT_TRUE(apparmor_.loaded.contains("keep"));
}

// With the real parser: a broken custom profile is refused before anything is written.
TEST(ProfileInstallerRealParserTest, BrokenCustomProfileIsRefusedAndNothingWritten) {
  TempDir root;
  WriteText(root.path() / "sys/module/apparmor/parameters/enabled", "Y\n");
  ProfileWriter writer(ProfileLayout::ForRoot(root.path()));
  SystemAppArmorLoader loader({.parser = "/usr/sbin/apparmor_parser", .sys_root = root.path()});
  ProfileInstaller installer(writer, loader);
  InstallResult result = installer.Install(
      AppArmor("half", "profile half flags=(attach_disconnected) {\n  network,\n  file\n}\n"));
  EXPECT_EQ(result.state, InstallState::kFailed);
  EXPECT_TRUE(
      result.message.starts_with("apparmor_parser refused the policy: AppArmor parser "
                                 "error"))
      << result.message;
  EXPECT_FALSE(std::filesystem::exists(root.path() / "etc/apparmor.d/containersecurity/half"));
  EXPECT_FALSE(std::filesystem::exists(root.path() / "etc"));
}

TEST(ProfileInstallerRealParserTest, NoAppArmorOnTheNode) {
  TempDir root;  // no sys/module/apparmor at all
  ProfileWriter writer(ProfileLayout::ForRoot(root.path()));
  SystemAppArmorLoader loader({.parser = "/usr/sbin/apparmor_parser", .sys_root = root.path()});
  ProfileInstaller installer(writer, loader);
  InstallResult result = installer.Install(profiles::RenderDefaultAppArmor());
  EXPECT_EQ(result.state, InstallState::kUnsupported);
  EXPECT_TRUE(result.message.starts_with("AppArmor not available on this node: "))
      << result.message;
  EXPECT_FALSE(std::filesystem::exists(root.path() / "etc"));
}

}  // namespace
}  // namespace csp::agent
