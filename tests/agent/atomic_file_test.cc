#include "csp/agent/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "temp_dir.h"

namespace csp::agent {
namespace {

using csp::test::ReadText;
using csp::test::TempDir;
using csp::test::WriteText;

TEST(AtomicFileTest, WritesReplacesAndLeavesNoTempFile) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.path(), "a.json", "one", 0644));
  EXPECT_EQ(ReadText(dir.path() / "a.json"), "one");
  struct stat st = {};
  ASSERT_EQ(stat((dir.path() / "a.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);

  ASSERT_TRUE(WriteFileAtomic(dir.path(), "a.json", "two", 0644));
  EXPECT_EQ(ReadText(dir.path() / "a.json"), "two");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    files.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(files, std::vector<std::string>{"a.json"});
}

// The new file is a new inode renamed over the old one: a reader that opened the old file keeps
// reading complete old bytes, never a mix.
TEST(AtomicFileTest, ReplacesByRename) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.path(), "p", "old bytes", 0644));
  std::ifstream reader(dir.path() / "p");
  struct stat before = {}, after = {};
  ASSERT_EQ(stat((dir.path() / "p").c_str(), &before), 0);
  ASSERT_TRUE(WriteFileAtomic(dir.path(), "p", "new bytes", 0644));
  ASSERT_EQ(stat((dir.path() / "p").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  std::string old_text((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
  EXPECT_EQ(old_text, "old bytes");
  EXPECT_EQ(ReadText(dir.path() / "p"), "new bytes");
}

TEST(AtomicFileTest, FailureLeavesTheTargetAndNoTemp) {
  TempDir dir;
  // A directory where the file should go: rename fails, the temp file must be cleaned up.
  std::filesystem::create_directories(dir.path() / "taken" / "inner");
  Status s = WriteFileAtomic(dir.path(), "taken", "bytes", 0644);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("rename to"), std::string::npos) << s.error().message;
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "taken"));
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  EXPECT_FALSE(WriteFileAtomic(dir.path() / "missing", "x", "bytes", 0644));
}

TEST(AtomicFileTest, ReadsOnlyRegularFiles) {
  TempDir dir;
  Result<std::optional<std::string>> missing = ReadRegularFile(dir.path() / "none", 100);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  WriteText(dir.path() / "f", "text");
  Result<std::optional<std::string>> file = ReadRegularFile(dir.path() / "f", 100);
  ASSERT_TRUE(file && file->has_value());
  EXPECT_EQ(**file, "text");
  EXPECT_FALSE(ReadRegularFile(dir.path() / "f", 3));  // over the bound
  std::filesystem::create_symlink(dir.path() / "f", dir.path() / "link");
  Result<std::optional<std::string>> link = ReadRegularFile(dir.path() / "link", 100);
  ASSERT_FALSE(link);
  EXPECT_NE(link.error().message.find("is a symlink"), std::string::npos);
  ASSERT_EQ(mkfifo((dir.path() / "fifo").c_str(), 0600), 0);
  Result<std::optional<std::string>> fifo = ReadRegularFile(dir.path() / "fifo", 100);
  ASSERT_FALSE(fifo);  // and did not block
  EXPECT_NE(fifo.error().message.find("not a regular file"), std::string::npos);
}

TEST(AtomicFileTest, ReapsOnlyTempFiles) {
  TempDir dir;
  WriteText(dir.path() / ".csp-tmp-abc123", "torn");
  WriteText(dir.path() / ".csp-tmp-def456", "torn");
  WriteText(dir.path() / "kept.json", "{}");
  WriteText(dir.path() / ".other-hidden", "x");
  Result<int> reaped = ReapTempFiles(dir.path());
  ASSERT_TRUE(reaped) << reaped.error().message;
  EXPECT_EQ(*reaped, 2);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "kept.json"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / ".other-hidden"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".csp-tmp-abc123"));
  Result<int> none = ReapTempFiles(dir.path() / "missing");
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
}

TEST(AtomicFileTest, RemovesDurably) {
  TempDir dir;
  WriteText(dir.path() / "x", "1");
  Result<bool> removed = RemoveFileDurably(dir.path(), "x");
  ASSERT_TRUE(removed && *removed);
  Result<bool> again = RemoveFileDurably(dir.path(), "x");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST(AtomicFileTest, MakesDirectoriesThroughSymlinks) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "real");
  std::filesystem::create_directory_symlink(dir.path() / "real", dir.path() / "link");
  ASSERT_TRUE(MakeDirectories(dir.path() / "link" / "a" / "b", 0755));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "real" / "a" / "b"));
  WriteText(dir.path() / "file", "x");
  Status s = MakeDirectories(dir.path() / "file" / "sub", 0755);
  ASSERT_FALSE(s);
}

}  // namespace
}  // namespace csp::agent
