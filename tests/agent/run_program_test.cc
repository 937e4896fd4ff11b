#include "csp/agent/run_program.h"

#include <gtest/gtest.h>

namespace csp::agent {
namespace {

TEST(RunProgramTest, FeedsStdinAndCapturesBothStreams) {
  Result<ProgramResult> r =
      RunProgram({"/bin/sh", "-c", "cat; echo oops >&2; exit 3"}, {.stdin_data = "hello\n"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "hello\n");
  EXPECT_EQ(r->err, "oops\n");
  EXPECT_FALSE(r->timed_out);
}

TEST(RunProgramTest, PassesArgumentsWithoutAShell) {
  Result<ProgramResult> r = RunProgram({"/bin/echo", "a b", "$HOME", ";", "*"}, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out, "a b $HOME ; *\n");
}

TEST(RunProgramTest, LargeStdinRoundTrips) {
  std::string big(3 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4097) big[i] = '\n';
  Result<ProgramResult> r =
      RunProgram({"/bin/cat"}, {.stdin_data = big, .max_output_bytes = 4 << 20});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, big);
}

TEST(RunProgramTest, AChildThatIgnoresStdinDoesNotKillUs) {
  Result<ProgramResult> r = RunProgram({"/bin/true"}, {.stdin_data = std::string(8 << 20, 'x')});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunProgramTest, BoundsCapturedOutput) {
  Result<ProgramResult> r =
      RunProgram({"/bin/sh", "-c", "head -c 100000 /dev/zero"}, {.max_output_bytes = 1000});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out.size(), 1000u);
}

TEST(RunProgramTest, KillsAProgramPastItsDeadline) {
  Result<ProgramResult> r =
      RunProgram({"/bin/sleep", "30"}, {.timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, 128 + 9);
}

TEST(RunProgramTest, ReportsWhatCouldNotStart) {
  Result<ProgramResult> r = RunProgram({"/nonexistent/apparmor_parser", "-Q"}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "cannot run /nonexistent/apparmor_parser: No such file or directory");
}

}  // namespace
}  // namespace csp::agent
