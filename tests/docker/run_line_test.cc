#include "csp/docker/run_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "csp/docker/shell_words.h"

namespace csp::docker {
namespace {

using ::testing::ElementsAre;

Result<DockerContainer> Parse(const std::string& line) {
  return ParseRunLine(line, "default-name", {.base_dir = "", .home = "/home/u"});
}

struct Case {
  const char* name;
  const char* line;
  const char* user;  // "-" for unset
  std::vector<std::string> cap_add;
  bool privileged;
  std::vector<std::string> security_opt;
  const char* image;
};

const Case kCases[] = {
    {"cap_add_equals",
     "docker run --cap-add=NET_ADMIN nginx",
     "-",
     {"NET_ADMIN"},
     false,
     {},
     "nginx"},
    {"cap_add_space",
     "docker run --cap-add NET_ADMIN --cap-add SYS_TIME nginx",
     "-",
     {"NET_ADMIN", "SYS_TIME"},
     false,
     {},
     "nginx"},
    {"user_short_space", "docker run -u 1000 nginx", "1000", {}, false, {}, "nginx"},
    {"user_short_attached", "docker run -u1000:1000 nginx", "1000:1000", {}, false, {}, "nginx"},
    {"user_long_equals", "docker run --user=root nginx", "root", {}, false, {}, "nginx"},
    {"combined_bools_then_value", "docker run -itu 0 nginx sh", "0", {}, false, {}, "nginx"},
    {"combined_value_attached", "docker run -itdu0 nginx", "0", {}, false, {}, "nginx"},
    {"bools_only",
     "docker run -it --rm --privileged nginx bash -c 'id'",
     "-",
     {},
     true,
     {},
     "nginx"},
    {"value_flags_skipped",
     "docker run -e A=1 -p 80:80 --env B=2 -w /x --name web nginx",
     "-",
     {},
     false,
     {},
     "nginx"},
    {"security_opt_forms",
     "docker run --security-opt seccomp=unconfined --security-opt=apparmor:unconfined nginx",
     "-",
     {},
     false,
     {"seccomp=unconfined", "apparmor:unconfined"},
     "nginx"},
    {"podman_sudo_container_create",
     "sudo podman container create --user 5 alpine",
     "5",
     {},
     false,
     {},
     "alpine"},
    {"quotes",
     R"(docker run --security-opt "label=type:spc_t" -u '0' "my image")",
     "0",
     {},
     false,
     {"label=type:spc_t"},
     "my image"},
    {"double_dash", "docker run -u 7 -- nginx", "7", {}, false, {}, "nginx"},
    {"env_and_global_flags",
     "DOCKER_HOST=tcp://h:2376 docker -H tcp://h:2376 --tls --context=prod run -u 3 nginx",
     "3",
     {},
     false,
     {},
     "nginx"},
    {"podman_rmi_bool", "podman run --rmi -u 4 alpine", "4", {}, false, {}, "alpine"},
    {"line_continuation", "docker run \\\n  --privileged \\\n  nginx", "-", {}, true, {}, "nginx"},
};

class RunLineTest : public ::testing::TestWithParam<Case> {};

TEST_P(RunLineTest, ReadsTheFlags) {
  const Case& c = GetParam();
  auto got = Parse(c.line);
  ASSERT_TRUE(got) << got.error().message;
  if (std::string(c.user) == "-") {
    EXPECT_FALSE(got->user.has_value());
  } else {
    EXPECT_EQ(got->user.value_or("<unset>"), c.user);
  }
  EXPECT_EQ(got->cap_add, c.cap_add);
  EXPECT_EQ(got->privileged, c.privileged);
  EXPECT_EQ(got->security_opt, c.security_opt);
  EXPECT_EQ(got->image, c.image);
}

INSTANTIATE_TEST_SUITE_P(Spellings, RunLineTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RunLineTest, NameAndMounts) {
  auto got = Parse(
      "docker run --name web -v /a:/b:ro --volume=data:/d -v ~/x:/x "
      "--mount type=bind,source=/s,destination=/t,readonly --mount 'type=tmpfs,dst=/tmp' nginx");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->name, "web");
  ASSERT_EQ(got->mounts.size(), 5u);
  EXPECT_EQ(got->mounts[0].type, MountType::kBind);
  EXPECT_EQ(got->mounts[0].source, "/a");
  EXPECT_TRUE(got->mounts[0].read_only);
  EXPECT_EQ(got->mounts[1].type, MountType::kVolume);
  EXPECT_EQ(got->mounts[2].source, "/home/u/x");
  EXPECT_EQ(got->mounts[3].source, "/s");
  EXPECT_EQ(got->mounts[3].target, "/t");
  EXPECT_TRUE(got->mounts[3].read_only);
  EXPECT_EQ(got->mounts[4].type, MountType::kTmpfs);
  EXPECT_EQ(Parse("docker run nginx")->name, "default-name");
}

TEST(RunLineTest, ErrorsSayWhatIsWrong) {
  auto message = [](const std::string& line) {
    auto got = Parse(line);
    return got ? std::string("no error") : got.error().message;
  };
  EXPECT_EQ(message("docker run -u 'root nginx"), "unterminated single quote");
  EXPECT_EQ(message("docker run -u \"root nginx"), "unterminated double quote");
  EXPECT_EQ(message("docker run --user"), "--user needs a value");
  EXPECT_EQ(message("docker run -it"), "no image");
  EXPECT_EQ(message("docker run -u"), "-u needs a value");
  EXPECT_EQ(message("docker run -Z nginx"), "unknown flag -Z in -Z");
  EXPECT_EQ(message("kubectl run x"), "expected a docker or podman command");
  EXPECT_EQ(message("docker ps"), "expected `run` or `create` after docker");
  EXPECT_EQ(message("docker run --mount type=bind,dst=/x nginx"),
            "mount \"type=bind,dst=/x\": a bind mount needs a source");
}

TEST(ShellWordsTest, SplitsAsAShell) {
  auto words = SplitShellWords(R"(a 'b c' "d \"e\" $f" g\ h i"j"'k')");
  ASSERT_TRUE(words);
  EXPECT_THAT(*words, ElementsAre("a", "b c", "d \"e\" $f", "g h", "ijk"));
  EXPECT_THAT(*SplitShellWords("  "), ElementsAre());
  EXPECT_THAT(*SplitShellWords("''"), ElementsAre(""));
}

TEST(SplitRunLinesTest, ContinuationsCommentsAndLines) {
  auto lines = SplitRunLines(
      "# a comment\n"            // 1
      "docker run nginx\n"       // 2
      "\n"                       // 3
      "docker run \\\n"          // 4
      "  --privileged \\\r\n"    // 5
      "  alpine\n"               // 6
      "   # indented comment\n"  // 7
      "podman run busybox");     // 8
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].line, 2);
  EXPECT_EQ(lines[1].line, 4);
  EXPECT_EQ(lines[2].line, 8);
  auto second = Parse(lines[1].text);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->privileged);
  EXPECT_EQ(second->image, "alpine");
}

}  // namespace
}  // namespace csp::docker
