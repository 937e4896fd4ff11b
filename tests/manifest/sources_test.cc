#include "csp/manifest/sources.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace csp::manifest {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class SourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "csp-sources-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Path(const std::string& relative) const { return root_ + "/" + relative; }
  void Write(const std::string& relative, const std::string& text = "kind: X\n") const {
    fs::create_directories(fs::path(Path(relative)).parent_path());
    std::ofstream(Path(relative)) << text;
  }
  // Paths relative to the root, for readable expectations.
  std::vector<std::string> Relative(const std::vector<std::string>& paths) const {
    std::vector<std::string> out;
    for (const std::string& path : paths) {
      out.push_back(path.starts_with(root_ + "/") ? path.substr(root_.size() + 1) : path);
    }
    return out;
  }

  std::string root_;
};

TEST_F(SourcesTest, WalksDirectoriesRecursivelySortedAndFiltered) {
  Write("b.yaml");
  Write("a.yml");
  Write("c.json");
  Write("d.txt");
  Write("e.YAML");
  Write("a/k.yaml");
  Write("sub/x.yaml");
  Write("sub/deeper/z.yaml");
  Write("sub/deeper/notes.md");
  Write("sub.yaml");
  fs::create_directories(Path("empty"));
  fs::create_symlink(Path("b.yaml"), Path("link.yaml"));
  fs::create_directory_symlink(Path("sub"), Path("sub/loop"));       // not followed: no cycle
  fs::create_directory_symlink(Path("sub"), Path("sub/loop.yaml"));  // nor when named *.yaml

  const ExpandedPaths got = ExpandPaths({root_});
  EXPECT_THAT(got.errors, IsEmpty());
  EXPECT_THAT(Relative(got.files), ElementsAre("a/k.yaml", "a.yml", "b.yaml", "c.json", "link.yaml",
                                               "sub/deeper/z.yaml", "sub/x.yaml", "sub.yaml"));
}

TEST_F(SourcesTest, KeepsArgumentOrderFilesAsGivenStdinAndMissingPaths) {
  Write("notes.txt");
  Write("dir/one.yaml");
  const ExpandedPaths got =
      ExpandPaths({Path("notes.txt"), "-", Path("missing.yaml"), Path("dir") + "/"});
  EXPECT_THAT(Relative(got.files), ElementsAre("notes.txt", "-", "dir/one.yaml"));
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].ToString(), Path("missing.yaml") + ": No such file or directory");
}

TEST_F(SourcesTest, ReadFileReadsAndNamesTheFileInErrors) {
  Write("x.yaml", "kind: A\n");
  auto text = ReadFile(Path("x.yaml"));
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "kind: A\n");

  text = ReadFile(Path("nope.yaml"));
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, Code::kNotFound);
  EXPECT_EQ(text.error().message, Path("nope.yaml") + ": No such file or directory");

  text = ReadFile(root_);
  ASSERT_FALSE(text);
  EXPECT_THAT(text.error().message, HasSubstr("Is a directory"));

  text = ReadFile(Path("x.yaml"), 4);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, Path("x.yaml") + ": larger than 4 bytes, not read");
}

TEST_F(SourcesTest, ReadSourceReadsStdinForDash) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const std::string input = "kind: FromStdin\n";
  ASSERT_EQ(write(pipe_fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(pipe_fds[1]);
  const int saved_stdin = dup(STDIN_FILENO);
  dup2(pipe_fds[0], STDIN_FILENO);
  close(pipe_fds[0]);
  auto source = ReadSource("-");
  dup2(saved_stdin, STDIN_FILENO);
  close(saved_stdin);
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_EQ(source->name, "<stdin>");
  EXPECT_EQ(source->text, input);
}

TEST_F(SourcesTest, ReadSourceNamesAFileByItsPath) {
  Write("y.yaml", "a: 1\n");
  auto source = ReadSource(Path("y.yaml"));
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_EQ(source->name, Path("y.yaml"));
  EXPECT_EQ(source->text, "a: 1\n");
}

}  // namespace
}  // namespace csp::manifest
