// Real `docker inspect` output (issue 16): a private dockerd (vfs storage, no iptables, no
// bridge, its own socket and directories) creates, never starts, one container per case from an
// image imported from a root filesystem tarball of Debian's files; `cspctl scan` of its
// `docker inspect` must give each container the verdict the same flags give as a `docker run`
// line and as a Compose service. Skipped where dockerd is not installed or we are not root.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "subprocess.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using csp::test::CommandResult;
using json = nlohmann::json;

constexpr const char* kDockerd = "/usr/sbin/dockerd";
constexpr const char* kDocker = "/usr/bin/docker";
constexpr const char* kImage = "csp-rootfs:1";

struct Case {
  const char* name;
  const char* flags;    // `docker create`/`docker run` flags
  const char* compose;  // the same as a Compose service's keys (YAML flow mapping body)
};

const Case kCases[] = {
    {"plain", "", ""},
    {"privileged", "--privileged", "privileged: true"},
    {"seccomp-unconfined", "--security-opt seccomp=unconfined",
     "security_opt: [\"seccomp:unconfined\"]"},
    {"apparmor-unconfined", "--security-opt apparmor=unconfined",
     "security_opt: [\"apparmor=unconfined\"]"},
    {"caps", "--cap-add SYS_ADMIN --cap-drop ALL", "cap_add: [SYS_ADMIN], cap_drop: [ALL]"},
    {"root-user", "-u 0:0", "user: \"0:0\""},
    {"uid", "--user 1000", "user: \"1000\""},
    {"socket", "-v /var/run/docker.sock:/var/run/docker.sock",
     "volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]"},
    {"bind-ro", "--mount type=bind,source=/etc,target=/host-etc,readonly",
     "volumes: [{type: bind, source: /etc, target: /host-etc, read_only: true}]"},
    {"named-volume", "-v data:/data", "volumes: [\"data:/data\"]"},
    {"host-namespaces", "--network host --pid host --ipc host",
     "network_mode: host, pid: host, ipc: host"},
    {"no-new-privileges", "--security-opt no-new-privileges",
     "security_opt: [\"no-new-privileges:true\"]"},
    {"cap-spellings", "--cap-add chown --cap-drop=all", "cap_add: [Cap_Chown], cap_drop: [all]"},
    {"named-user", "--user app", "user: app"},
    {"sysctls", "--sysctl net.ipv4.tcp_syncookies=1 --sysctl net.core.somaxconn=1024",
     "sysctls: {net.ipv4.tcp_syncookies: 1, net.core.somaxconn: \"1024\"}"},
    {"label-level", "--privileged --security-opt label=level:s0:c1",
     "privileged: true, "
     "security_opt: [\"label:level:s0:c1\"]"},
    {"systempaths", "--security-opt systempaths=unconfined",
     "security_opt: [\"systempaths=unconfined\"]"},
    {"tmpfs-and-bind", "--mount type=tmpfs,dst=/t -v /srv/data:/data:ro",
     "volumes: [{type: tmpfs, target: /t}, \"/srv/data:/data:ro\"]"},
};

class DockerDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kDockerd) || !fs::exists(kDocker) || geteuid() != 0) {
      GTEST_SKIP() << "needs root and Debian's docker.io (" << kDockerd << ")";
    }
    char tmpl[] = "/tmp/csp-dockerd-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    socket_ = "unix://" + dir_ + "/docker.sock";
    const std::string log = dir_ + "/dockerd.log";
    std::vector<std::string> args = {kDockerd,
                                     "--host=" + socket_,
                                     "--data-root=" + dir_ + "/data",
                                     "--exec-root=" + dir_ + "/exec",
                                     "--pidfile=" + dir_ + "/dockerd.pid",
                                     "--storage-driver=vfs",
                                     "--iptables=false",
                                     "--ip6tables=false",
                                     "--ip-forward=false",
                                     "--ip-masq=false",
                                     "--bridge=none"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    ASSERT_EQ(posix_spawn(&pid_, kDockerd, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    // Readiness, not timing: poll until the API answers (or give up after a minute).
    for (int i = 0; i < 120; ++i) {
      if (Docker({"version"}).exit_code == 0) return;
      usleep(500'000);
    }
    FAIL() << "dockerd did not come up; see " << log;
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  CommandResult Docker(std::vector<std::string> args) {
    args.insert(args.begin(), {kDocker, "-H", socket_});
    return csp::test::Run(args, "", 120);
  }

  // rule -> result of each workload, from `cspctl scan -o json`.
  static std::map<std::string, std::map<std::string, std::string>> Verdicts(
      std::vector<std::string> args, const std::string& stdin_data = "") {
    args.insert(args.begin(), {CSPCTL_PATH, "scan", "-o", "json", "--now", "2026-06-01T00:00:00Z"});
    CommandResult r = csp::test::Run(args, stdin_data, 60);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r;
    std::map<std::string, std::map<std::string, std::string>> out;
    const json reports = json::parse(r.out);
    for (const json& report : reports["items"]) {
      for (const json& result : report["results"]) {
        out[result["resources"][0]["name"]][result["rule"]] = result["result"];
      }
    }
    return out;
  }

  std::string dir_;
  std::string socket_;
  pid_t pid_ = 0;
};

TEST_F(DockerDaemonTest, InspectOfCreatedContainersAgreesWithRunLinesAndCompose) {
  // An image from a root filesystem of Debian's files (coreutils' `true`); never started.
  fs::create_directories(dir_ + "/rootfs/bin");
  fs::copy_file("/bin/true", dir_ + "/rootfs/bin/true");
  ASSERT_EQ(
      csp::test::Run({"tar", "-C", dir_ + "/rootfs", "-cf", dir_ + "/rootfs.tar", "."}).exit_code,
      0);
  CommandResult imported = Docker({"import", dir_ + "/rootfs.tar", kImage});
  ASSERT_EQ(imported.exit_code, 0) << imported;

  std::vector<std::string> run_lines;
  std::string compose = "services:\n";
  std::vector<std::string> names;
  for (const Case& c : kCases) {
    std::vector<std::string> create = {"create", "--name", c.name};
    std::string flags = c.flags;
    for (std::size_t start = 0; start < flags.size();) {
      std::size_t end = flags.find(' ', start);
      if (end == std::string::npos) end = flags.size();
      create.push_back(flags.substr(start, end - start));
      start = end + 1;
    }
    create.push_back(kImage);
    create.push_back("/bin/true");
    CommandResult created = Docker(create);
    ASSERT_EQ(created.exit_code, 0) << c.name << ": " << created;
    names.push_back(c.name);
    run_lines.push_back(std::string("--run-line=docker run --name ") + c.name + " " + c.flags +
                        " " + kImage);
    compose += std::string("  ") + c.name + ": {image: \"" + kImage + "\"" +
               (*c.compose ? ", " : "") + c.compose + "}\n";
  }
  std::vector<std::string> inspect_args = {"inspect"};
  inspect_args.insert(inspect_args.end(), names.begin(), names.end());
  CommandResult inspect = Docker(inspect_args);
  ASSERT_EQ(inspect.exit_code, 0) << inspect;
  std::ofstream(dir_ + "/compose.yaml") << compose;

  // Under the default policy and under the restricted preset (literal capability names).
  for (const std::vector<std::string>& policy :
       {std::vector<std::string>{},
        std::vector<std::string>{"--pod-security-standard", "restricted"}}) {
    auto with = [&](std::vector<std::string> args) {
      args.insert(args.begin(), policy.begin(), policy.end());
      return args;
    };
    const auto from_inspect = Verdicts(with({"-"}), inspect.out);
    const auto from_run_lines = Verdicts(with(run_lines));
    const auto from_compose = Verdicts(with({dir_ + "/compose.yaml"}));
    ASSERT_EQ(from_inspect.size(), std::size(kCases)) << inspect.out;
    for (const Case& c : kCases) {
      ASSERT_TRUE(from_inspect.contains(c.name)) << c.name;
      EXPECT_EQ(from_inspect.at(c.name), from_run_lines.at(c.name)) << c.name;
      EXPECT_EQ(from_inspect.at(c.name), from_compose.at(c.name)) << c.name;
    }
  }
  const auto from_inspect = Verdicts({"-"}, inspect.out);
  // The cases are not all alike: the daemon's record carries the flags.
  EXPECT_EQ(from_inspect.at("plain").at("disallow-privileged"), "pass");
  EXPECT_EQ(from_inspect.at("privileged").at("disallow-privileged"), "fail");
  EXPECT_EQ(from_inspect.at("socket").at("disallow-runtime-socket"), "fail");
  EXPECT_EQ(from_inspect.at("uid").at("require-non-root"), "pass");
  EXPECT_EQ(from_inspect.at("root-user").at("require-non-root"), "fail");
  EXPECT_EQ(from_inspect.at("seccomp-unconfined").at("require-seccomp"), "fail");
  EXPECT_EQ(from_inspect.at("host-namespaces").at("disallow-host-namespaces"), "fail");
  // The daemon runs privileged and host-PID/IPC containers without SELinux separation.
  EXPECT_EQ(from_inspect.at("host-namespaces").at("restrict-selinux"), "fail");
  EXPECT_EQ(from_inspect.at("plain").at("restrict-selinux"), "pass");
}

}  // namespace
