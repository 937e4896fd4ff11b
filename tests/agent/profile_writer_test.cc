#include "csp/agent/profile_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "temp_dir.h"

namespace csp::agent {
namespace {

using csp::test::ReadText;
using csp::test::TempDir;
using csp::test::WriteText;

profiles::RenderedProfile Seccomp(std::string name, std::string bytes) {
  return {
      .kind = profiles::ProfileKind::kSeccomp, .name = std::move(name), .bytes = std::move(bytes)};
}
profiles::RenderedProfile AppArmor(std::string name, std::string bytes) {
  return {
      .kind = profiles::ProfileKind::kAppArmor, .name = std::move(name), .bytes = std::move(bytes)};
}

struct stat Stat(const std::filesystem::path& path) {
  struct stat st = {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st;
}

class ProfileWriterTest : public testing::Test {
 protected:
  TempDir root_;
  ProfileWriter writer_{ProfileLayout::ForRoot(root_.path())};
  std::filesystem::path seccomp_dir_ = root_.path() / "var/lib/kubelet/seccomp/containersecurity";
  std::filesystem::path apparmor_dir_ = root_.path() / "etc/apparmor.d/containersecurity";
};

TEST_F(ProfileWriterTest, WritesWhereKubeletAndAppArmorLook) {
  Result<WriteOutcome> seccomp = writer_.Write(Seccomp("csp-default", "{}\n"));
  ASSERT_TRUE(seccomp) << seccomp.error().message;
  EXPECT_EQ(*seccomp, WriteOutcome::kWritten);
  EXPECT_EQ(ReadText(seccomp_dir_ / "csp-default.json"), "{}\n");
  Result<WriteOutcome> apparmor =
      writer_.Write(AppArmor("csp-default", "profile csp-default {}\n"));
  ASSERT_TRUE(apparmor) << apparmor.error().message;
  EXPECT_EQ(ReadText(apparmor_dir_ / "csp-default"), "profile csp-default {}\n");
  EXPECT_EQ(Stat(seccomp_dir_ / "csp-default.json").st_mode & 07777, 0644u);
  EXPECT_EQ(Stat(seccomp_dir_).st_mode & 0755, 0755u);
  Result<std::filesystem::path> path = writer_.PathFor(profiles::ProfileKind::kSeccomp, "x");
  ASSERT_TRUE(path);
  EXPECT_EQ(*path, seccomp_dir_ / "x.json");
}

// A restart or resync rewrites nothing that is already right: same inode, same mtime.
TEST_F(ProfileWriterTest, SameBytesAreNotWrittenAgain) {
  ASSERT_TRUE(writer_.Write(Seccomp("p", "bytes")));
  const std::filesystem::path file = seccomp_dir_ / "p.json";
  // An mtime far in the past, so that any rewrite would show whatever the clock's resolution.
  const timespec old_times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, file.c_str(), old_times, 0), 0);
  const struct stat before = Stat(file);

  ProfileWriter restarted(ProfileLayout::ForRoot(root_.path()));
  Result<WriteOutcome> again = restarted.Write(Seccomp("p", "bytes"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, WriteOutcome::kUnchanged);
  const struct stat after = Stat(file);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_sec, 1000000000);

  Result<WriteOutcome> changed = restarted.Write(Seccomp("p", "other bytes"));
  ASSERT_TRUE(changed);
  EXPECT_EQ(*changed, WriteOutcome::kWritten);
  EXPECT_NE(Stat(file).st_ino, before.st_ino);
  EXPECT_EQ(ReadText(file), "other bytes");
}

// Whatever sits at the profile's path that is not our regular file gets replaced.
TEST_F(ProfileWriterTest, ReplacesASymlinkInsteadOfWritingThroughIt) {
  WriteText(root_.path() / "elsewhere", "bytes");
  std::filesystem::create_directories(seccomp_dir_);
  std::filesystem::create_symlink(root_.path() / "elsewhere", seccomp_dir_ / "p.json");
  Result<WriteOutcome> written = writer_.Write(Seccomp("p", "bytes"));
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(*written, WriteOutcome::kWritten);
  EXPECT_FALSE(std::filesystem::is_symlink(seccomp_dir_ / "p.json"));
  EXPECT_EQ(ReadText(root_.path() / "elsewhere"), "bytes");
}

TEST_F(ProfileWriterTest, RemovesAndListsWhatItManages) {
  ASSERT_TRUE(writer_.Write(Seccomp("b", "1")));
  ASSERT_TRUE(writer_.Write(Seccomp("a", "1")));
  ASSERT_TRUE(writer_.Write(AppArmor("c", "1")));
  WriteText(seccomp_dir_ / "notes.txt", "not a profile");
  WriteText(seccomp_dir_ / ".csp-tmp-123456", "torn");
  std::filesystem::create_directories(seccomp_dir_ / "dir.json");

  Result<std::vector<std::string>> seccomp = writer_.List(profiles::ProfileKind::kSeccomp);
  ASSERT_TRUE(seccomp) << seccomp.error().message;
  EXPECT_EQ(*seccomp, (std::vector<std::string>{"a", "b"}));
  Result<std::vector<std::string>> apparmor = writer_.List(profiles::ProfileKind::kAppArmor);
  ASSERT_TRUE(apparmor);
  EXPECT_EQ(*apparmor, std::vector<std::string>{"c"});

  Result<RemoveOutcome> removed = writer_.Remove(profiles::ProfileKind::kSeccomp, "a");
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, RemoveOutcome::kRemoved);
  EXPECT_FALSE(std::filesystem::exists(seccomp_dir_ / "a.json"));
  Result<RemoveOutcome> absent = writer_.Remove(profiles::ProfileKind::kSeccomp, "a");
  ASSERT_TRUE(absent);
  EXPECT_EQ(*absent, RemoveOutcome::kAbsent);
  // The other kind's file of the same name is a different profile.
  ASSERT_TRUE(writer_.Write(Seccomp("c", "1")));
  ASSERT_TRUE(writer_.Remove(profiles::ProfileKind::kSeccomp, "c"));
  EXPECT_TRUE(std::filesystem::exists(apparmor_dir_ / "c"));
}

TEST_F(ProfileWriterTest, EmptyRootListsNothing) {
  Result<std::vector<std::string>> names = writer_.List(profiles::ProfileKind::kAppArmor);
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_TRUE(names->empty());
  Result<RemoveOutcome> absent = writer_.Remove(profiles::ProfileKind::kAppArmor, "x");
  ASSERT_TRUE(absent);
  EXPECT_EQ(*absent, RemoveOutcome::kAbsent);
}

TEST_F(ProfileWriterTest, RefusesNamesThatEscape) {
  for (const std::string& name : {std::string("../../etc/passwd"), std::string(".."),
                                  std::string("a/b"), std::string("x\0y", 3), std::string()}) {
    Result<WriteOutcome> written = writer_.Write(Seccomp(name, "evil"));
    ASSERT_FALSE(written) << name;
    EXPECT_EQ(written.error().code, Code::kInvalidArgument);
    EXPECT_TRUE(written.error().message.starts_with("profile name ")) << written.error().message;
    EXPECT_FALSE(writer_.Remove(profiles::ProfileKind::kAppArmor, name));
  }
  EXPECT_FALSE(std::filesystem::exists(root_.path() / "etc/passwd"));
  EXPECT_FALSE(std::filesystem::exists(root_.path() / "var"));  // nothing was created at all
}

TEST_F(ProfileWriterTest, ReapsStaleTempFilesOfBothKinds) {
  WriteText(seccomp_dir_ / ".csp-tmp-aaaaaaaaaaaa", "torn");
  WriteText(apparmor_dir_ / ".csp-tmp-bbbbbbbbbbbb", "torn");
  WriteText(apparmor_dir_ / "kept", "profile kept {}");
  Result<int> reaped = writer_.ReapStaleTempFiles();
  ASSERT_TRUE(reaped) << reaped.error().message;
  EXPECT_EQ(*reaped, 2);
  EXPECT_FALSE(std::filesystem::exists(seccomp_dir_ / ".csp-tmp-aaaaaaaaaaaa"));
  EXPECT_TRUE(std::filesystem::exists(apparmor_dir_ / "kept"));
}

TEST_F(ProfileWriterTest, ReadsBackWhatIsInstalled) {
  ASSERT_TRUE(writer_.Write(AppArmor("x", "text")));
  Result<std::optional<std::string>> read = writer_.Read(profiles::ProfileKind::kAppArmor, "x");
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ(**read, "text");
  Result<std::optional<std::string>> missing = writer_.Read(profiles::ProfileKind::kSeccomp, "x");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

}  // namespace
}  // namespace csp::agent
