// `csp-agent render` as a user runs it: output byte for byte, exit codes, messages. The golden
// file pins the csp-default seccomp profile for x86_64; CSP_UPDATE_GOLDEN=1 rewrites it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "subprocess.h"
#include "temp_dir.h"

namespace csp::agent {
namespace {

using csp::test::CommandResult;

CommandResult Agent(std::vector<std::string> args, const std::string& stdin_data = "") {
  args.insert(args.begin(), CSP_AGENT_PATH);
  return csp::test::Run(args, stdin_data);
}

// "line N: got ... want ...", for a readable failure instead of two 500-line strings.
std::string FirstDifference(const std::string& got, const std::string& want) {
  std::istringstream got_lines(got), want_lines(want);
  std::string g, w;
  for (int line = 1;; ++line) {
    const bool has_g = static_cast<bool>(std::getline(got_lines, g));
    const bool has_w = static_cast<bool>(std::getline(want_lines, w));
    if (!has_g && !has_w) return "same lines";
    if (!has_g || !has_w || g != w) {
      return "line " + std::to_string(line) + ": got " + (has_g ? g : "<end>") + ", want " +
             (has_w ? w : "<end>");
    }
  }
}

std::string Repo(const std::string& relative) {
  return std::string(CSP_REPO_ROOT) + "/" + relative;
}

TEST(RenderCommandTest, DefaultSeccompMatchesTheGoldenFile) {
  CommandResult r = Agent({"render", "csp-default-seccomp", "--arch", "x86_64"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "");
  const std::string golden = Repo("tests/agent/testdata/golden/csp-default-seccomp.x86_64.json");
  if (std::getenv("CSP_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << r.out;
  }
  const std::string want = csp::test::ReadText(golden);
  EXPECT_TRUE(r.out == want) << "tests/agent/testdata/golden/csp-default-seccomp.x86_64.json "
                             << "differs; CSP_UPDATE_GOLDEN=1 rewrites it. "
                             << FirstDifference(r.out, want);
  // Deterministic: a second run prints the same bytes.
  EXPECT_EQ(Agent({"render", "csp-default-seccomp", "--arch=x86_64"}).out, r.out);
}

TEST(RenderCommandTest, ArchitecturesAndCapabilities) {
  CommandResult arm =
      Agent({"render", "csp-default-seccomp", "--arch", "arm64", "--kernel", "6.1"});
  ASSERT_EQ(arm.exit_code, 0) << arm;
  EXPECT_EQ(nlohmann::json::parse(arm.out)["architectures"],
            (nlohmann::json{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));

  CommandResult plain = Agent({"render", "csp-default-seccomp", "--arch", "x86_64"});
  CommandResult ptrace =
      Agent({"render", "csp-default-seccomp", "--arch", "x86_64", "--cap", "sys_ptrace"});
  ASSERT_EQ(ptrace.exit_code, 0) << ptrace;
  EXPECT_EQ(plain.out.find("\"kcmp\""), std::string::npos);
  EXPECT_NE(ptrace.out.find("\"kcmp\""), std::string::npos);

  CommandResult old_kernel =
      Agent({"render", "csp-default-seccomp", "--arch", "x86_64", "--kernel", "4.4.0-210-generic"});
  ASSERT_EQ(old_kernel.exit_code, 0) << old_kernel;
  EXPECT_EQ(old_kernel.out.find("\"ptrace\""), std::string::npos);
  EXPECT_NE(plain.out.find("\"ptrace\""), std::string::npos);
}

TEST(RenderCommandTest, DefaultAppArmorIsTheShippedFile) {
  CommandResult r = Agent({"render", "csp-default-apparmor"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, csp::test::ReadText(Repo("operator/profiles/defaults/csp-default.apparmor")));
}

TEST(RenderCommandTest, RendersASecurityProfileFile) {
  CommandResult seccomp =
      Agent({"render", "-f", Repo("examples/profiles/seccomp-static-server.yaml")});
  ASSERT_EQ(seccomp.exit_code, 0) << seccomp;
  EXPECT_EQ(nlohmann::json::parse(seccomp.out)["defaultAction"], "SCMP_ACT_ERRNO");

  const std::string text =
      csp::test::ReadText(Repo("examples/profiles/apparmor-read-only-app.yaml"));
  CommandResult apparmor = Agent({"render", "-f", "-"}, text);
  ASSERT_EQ(apparmor.exit_code, 0) << apparmor;
  EXPECT_TRUE(apparmor.out.starts_with("profile read-only-app ")) << apparmor.out;
}

struct UsageCase {
  const char* label;
  std::vector<std::string> args;
  const char* stdin_data;
  const char* err;  // the first line of stderr
};

const UsageCase kErrors[] = {
    {"no_profile",
     {"render"},
     "",
     "csp-agent render: which profile? csp-default-seccomp, csp-default-apparmor or -f FILE"},
    {"unknown_profile",
     {"render", "docker-default"},
     "",
     "csp-agent render: unknown profile docker-default (csp-default-seccomp, "
     "csp-default-apparmor, or -f FILE)"},
    {"unknown_arch",
     {"render", "csp-default-seccomp", "--arch", "sparc64"},
     "",
     "csp-agent render: architecture \"sparc64\" is not supported (known: aarch64, armv7l, "
     "loongarch64, ppc64le, riscv64, s390x, x86_64)"},
    {"unknown_cap",
     {"render", "csp-default-seccomp", "--cap", "SYS_EVERYTHING"},
     "",
     "csp-agent render: --cap: \"SYS_EVERYTHING\" is not a capability (e.g. SYS_PTRACE or "
     "CAP_BPF)"},
    {"bad_kernel",
     {"render", "csp-default-seccomp", "--kernel", "latest"},
     "",
     "csp-agent render: --kernel: \"latest\" is not a kernel version (MAJOR.MINOR...)"},
    {"flag_without_value",
     {"render", "csp-default-seccomp", "--arch"},
     "",
     "csp-agent render: --arch needs a value"},
    {"unknown_flag",
     {"render", "csp-default-seccomp", "--verbose"},
     "",
     "csp-agent render: unknown flag --verbose"},
    {"both",
     {"render", "csp-default-seccomp", "-f", "x.yaml"},
     "",
     "csp-agent render: give a profile name or -f FILE, not both"},
    {"missing_file",
     {"render", "-f", "/nonexistent/sp.yaml"},
     "",
     "csp-agent render: /nonexistent/sp.yaml: cannot open"},
    {"invalid_body",
     {"render", "-f", "-"},
     "# comment\napiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\n"
     "metadata: {name: x}\nspec:\n  type: Seccomp\n  seccomp:\n    defaultAction: SCMP_ACT_ERRNO\n"
     "    syscalls: [{names: [mkdir], action: SCMP_ACT_FOO}]\n",
     "csp-agent render: <stdin>:2: spec.seccomp.syscalls[0].action: \"SCMP_ACT_FOO\" is not a "
     "seccomp action (one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, "
     "SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG)"},
    {"escaping_name",
     {"render", "-f", "-"},
     "apiVersion: containersecurity.dev/v1alpha1\nkind: SecurityProfile\n"
     "metadata: {name: ../../etc/cron.d/x}\nspec: {type: AppArmor, appArmor: 'profile x {}'}\n",
     "csp-agent render: <stdin>:1: metadata.name: profile name \"../../etc/cron.d/x\": must not "
     "contain '/' (it would leave the profile folder)"},
};

class RenderCommandErrorTest : public testing::TestWithParam<UsageCase> {};

TEST_P(RenderCommandErrorTest, ExitsTwoWithAMessage) {
  CommandResult r = Agent(GetParam().args, GetParam().stdin_data);
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), GetParam().err) << r;
}

INSTANTIATE_TEST_SUITE_P(Usage, RenderCommandErrorTest, testing::ValuesIn(kErrors),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(RenderCommandTest, HelpAndUnknownCommand) {
  CommandResult help = Agent({"render", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help;
  EXPECT_TRUE(help.out.starts_with("Usage: csp-agent render")) << help.out;
  CommandResult unknown = Agent({"install"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown;
  EXPECT_TRUE(unknown.err.starts_with("csp-agent: unknown command install")) << unknown;
}

}  // namespace
}  // namespace csp::agent
