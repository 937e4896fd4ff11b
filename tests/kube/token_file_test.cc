#include "csp/kube/token_file.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace csp::kube {
namespace {

using testing::TempDir;

TEST(TokenFileTest, ReadsAndTrims) {
  TempDir dir;
  TokenFile token(dir.Write("token", "  abc.def\n"));
  auto value = token.Get();
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_EQ(*value, "abc.def");
}

TEST(TokenFileTest, RereadsWhenTheFileChanges) {
  TempDir dir;
  const auto path = dir.Write("token", "first");
  TokenFile token(path);
  ASSERT_EQ(*token.Get(), "first");
  dir.Write("token", "second-token");
  EXPECT_EQ(*token.Get(), "second-token");
}

TEST(TokenFileTest, MissingFileNamesThePath) {
  TempDir dir;
  TokenFile token(dir.path() / "absent");
  auto value = token.Get();
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code, Code::kUnauthenticated);
  EXPECT_NE(value.error().message.find((dir.path() / "absent").string()), std::string::npos)
      << value.error().message;
}

TEST(TokenFileTest, EmptyFileIsAnError) {
  TempDir dir;
  TokenFile token(dir.Write("token", " \n"));
  auto value = token.Get();
  ASSERT_FALSE(value);
  EXPECT_NE(value.error().message.find("empty"), std::string::npos) << value.error().message;
}

TEST(TokenFileTest, KeepsTheLastTokenWhileTheFileIsGone) {
  TempDir dir;
  const auto path = dir.Write("token", "kept");
  TokenFile token(path);
  ASSERT_EQ(*token.Get(), "kept");
  std::filesystem::remove(path);
  auto value = token.Get();
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_EQ(*value, "kept");
}

}  // namespace
}  // namespace csp::kube
