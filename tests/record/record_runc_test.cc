// `csp-agent record` under the real runc and kernel: a busybox script recorded, replayed under
// the recorded profile by plain runc (passes), and with one syscall more (EPERM); recordings
// merged; a workload that crashes or is stopped; a recorder that dies mid-run, which must
// not hang the container (the kernel answers ENOSYS once the listener fd is closed); and the
// node recorder of `csp-agent run --record`, with a container as containerd would start it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "csp/record/libseccomp_names.h"
#include "csp/record/node_recorder.h"
#include "csp/record/notify_listener.h"
#include "csp/record/recording_spec.h"
#include "subprocess.h"
#include "support/busybox_bundle.h"
#include "temp_dir.h"

namespace csp::record {
namespace {

namespace fs = std::filesystem;
using csp::test::CommandResult;
using csp::test::ReadText;

// Ordinary work: files, a pipe between two processes, a directory listing.
constexpr const char* kScript =
    "echo hello > /dev/shm/f && cat /dev/shm/f | wc -c && ls / > /dev/null && echo done";
// The same and one syscall more: mkdir(2) (busybox mkdir calls mkdir, which the script above
// never does).
constexpr const char* kScriptAndMkdir =
    "echo hello > /dev/shm/f && cat /dev/shm/f | wc -c && ls / > /dev/null && echo done && "
    "mkdir /dev/shm/d && echo made";

class RecordRuncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> why = test::RuncUnavailable()) GTEST_SKIP() << *why;
    ASSERT_EQ(test::MakeBusyboxRootfs(rootfs()), "");
  }

  fs::path rootfs() const { return dir_.path() / "rootfs"; }
  fs::path path(const std::string& name) const { return dir_.path() / name; }

  static CommandResult Agent(std::vector<std::string> args) {
    args.insert(args.begin(), CSP_AGENT_PATH);
    return csp::test::Run(args);
  }

  // Records `script` into `output`.
  CommandResult Record(const std::string& script, const fs::path& output,
                       std::vector<std::string> flags = {}) {
    std::vector<std::string> args = {"record", "--rootfs", rootfs().string(), "-o",
                                     output.string()};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--", "/bin/sh", "-c", script});
    return Agent(args);
  }

  // Runs `script` with plain runc under the profile in `profile` (rendered by csp-agent as a
  // node gets it), or without seccomp.
  CommandResult RunUnder(const std::optional<fs::path>& profile, const std::string& script) {
    std::optional<nlohmann::json> seccomp;
    if (profile) {
      const CommandResult rendered = Agent({"render", "-f", profile->string()});
      EXPECT_EQ(rendered.exit_code, 0) << rendered;
      seccomp = nlohmann::json::parse(rendered.out);
    }
    const fs::path bundle = path("bundle-" + std::to_string(bundles_++));
    EXPECT_EQ(test::WriteBundle(bundle, rootfs(), {"/bin/sh", "-c", script}, seccomp), "");
    return test::RunBundle(bundle);
  }

  csp::test::TempDir dir_;
  int bundles_ = 0;
};

TEST_F(RecordRuncTest, RecordedScriptPassesUnderItsProfileAndOneSyscallMoreGetsEperm) {
  const CommandResult recorded = Record(kScript, path("p.yaml"), {"--name", "tailored"});
  ASSERT_EQ(recorded.exit_code, 0) << recorded;
  EXPECT_EQ(recorded.out, "6\ndone\n");  // the workload's own output
  EXPECT_NE(recorded.err.find("workload exited with 0"), std::string::npos) << recorded;
  EXPECT_NE(recorded.err.find("allowed by csp-default, blocked by the recording"),
            std::string::npos)
      << recorded;
  const std::string yaml = ReadText(path("p.yaml"));
  EXPECT_NE(yaml.find("name: tailored"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("defaultAction: SCMP_ACT_ERRNO"), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find(" mkdir,"), std::string::npos) << yaml;

  const CommandResult replay = RunUnder(path("p.yaml"), kScript);
  EXPECT_EQ(replay.exit_code, 0) << replay;
  EXPECT_EQ(replay.out, "6\ndone\n");

  const CommandResult more = RunUnder(path("p.yaml"), kScriptAndMkdir);
  EXPECT_NE(more.exit_code, 0) << more;
  EXPECT_EQ(more.out, "6\ndone\n");
  EXPECT_NE(more.err.find("Operation not permitted"), std::string::npos) << more;  // EPERM

  // Control: without seccomp the longer script works, so the EPERM above is the profile's.
  const CommandResult control = RunUnder(std::nullopt, kScriptAndMkdir);
  EXPECT_EQ(control.exit_code, 0) << control;
  EXPECT_EQ(control.out, "6\ndone\nmade\n");
}

// csp-agent run --record: the recording profile the agent writes, used as containerd uses a
// Localhost profile (the file as linux.seccomp, CRI annotations on the container), gives a
// recorded SecurityProfile named after the recording that names the container and confines
// like one from `csp-agent record`.
TEST_F(RecordRuncTest, NodeRecorderWritesTheProfileOfEachEndedContainer) {
  Result<std::unique_ptr<NodeRecorder>> recorder = NodeRecorder::Start(
      {.root = path("node"), .names = {"scripted"}, .architectures = {"SCMP_ARCH_X86_64"}});
  ASSERT_TRUE(recorder) << recorder.error().message;
  const NodeRecorderPaths paths = (*recorder)->paths();  // a copy: it outlives the recorder
  const nlohmann::json seccomp =
      nlohmann::json::parse(ReadText(paths.recording_profiles / "scripted.json"));
  EXPECT_EQ(seccomp["listenerMetadata"], "scripted");
  EXPECT_EQ(seccomp["listenerPath"], paths.socket.string());

  const fs::path bundle = path("bundle");
  ASSERT_EQ(test::WriteBundle(bundle, rootfs(), {"/bin/sh", "-c", kScript}, seccomp), "");
  nlohmann::json config = nlohmann::json::parse(ReadText(bundle / "config.json"));
  config["annotations"] = {{"io.kubernetes.cri.sandbox-namespace", "team"},
                           {"io.kubernetes.cri.sandbox-name", "web-1"},
                           {"io.kubernetes.cri.container-name", "app"}};
  csp::test::WriteText(bundle / "config.json", config.dump());
  const CommandResult recorded = test::RunBundle(bundle);
  ASSERT_EQ(recorded.exit_code, 0) << recorded;

  // Written by the collector thread once the notify fd hangs up.
  const fs::path yaml = paths.recorded_profiles / "scripted.yaml";
  for (int i = 0; i < 100 && !fs::exists(yaml); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string text = ReadText(yaml);
  EXPECT_NE(text.find("#   team/web-1/app\n"), std::string::npos) << text;
  EXPECT_NE(text.find("name: scripted"), std::string::npos) << text;

  const CommandResult replay = RunUnder(yaml, kScript);
  EXPECT_EQ(replay.exit_code, 0) << replay;
  const CommandResult more = RunUnder(yaml, kScriptAndMkdir);
  EXPECT_NE(more.exit_code, 0) << more;
  EXPECT_NE(more.err.find("Operation not permitted"), std::string::npos) << more;

  // Stopped, it takes its recording profile away: runc would hang on it without a listener.
  recorder->reset();
  EXPECT_FALSE(fs::exists(paths.recording_profiles / "scripted.json"));
  EXPECT_TRUE(fs::exists(yaml));
}

// --bundle: the bundle's own command, and its config.json left as it was.
TEST_F(RecordRuncTest, RecordsABundleWithoutChangingIt) {
  const fs::path bundle = path("app");
  ASSERT_EQ(test::WriteBundle(bundle, rootfs(), {"/bin/sh", "-c", kScript}, std::nullopt), "");
  // root.path relative to the bundle and a relative --bundle, as users write them.
  nlohmann::json spec = nlohmann::json::parse(ReadText(bundle / "config.json"));
  spec["root"]["path"] = fs::relative(rootfs(), bundle).string();
  csp::test::WriteText(bundle / "config.json", spec.dump(2));
  const std::string config = ReadText(bundle / "config.json");
  const CommandResult r = csp::test::Run({"env", "-C", dir_.path().string(), CSP_AGENT_PATH,
                                          "record", "--bundle", "app", "-o", "b.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "6\ndone\n");
  EXPECT_EQ(ReadText(bundle / "config.json"), config);
  const CommandResult replay = RunUnder(path("b.yaml"), kScript);
  EXPECT_EQ(replay.exit_code, 0) << replay;
  EXPECT_EQ(replay.out, "6\ndone\n");
}

TEST_F(RecordRuncTest, MergedRecordingsAllowWhatEitherSaw) {
  ASSERT_EQ(Record(kScript, path("a.yaml")).exit_code, 0);
  ASSERT_EQ(Record("mkdir /dev/shm/d && echo made", path("b.yaml")).exit_code, 0);
  const CommandResult merged =
      Agent({"record", "--merge", path("a.yaml").string(), path("b.yaml").string(), "--name",
             "both", "-o", path("ab.yaml").string()});
  ASSERT_EQ(merged.exit_code, 0) << merged;
  EXPECT_NE(merged.err.find("csp-default"), std::string::npos) << merged;
  EXPECT_NE(ReadText(path("ab.yaml")).find("name: both"), std::string::npos);

  EXPECT_NE(RunUnder(path("a.yaml"), kScriptAndMkdir).exit_code, 0);
  const CommandResult both = RunUnder(path("ab.yaml"), kScriptAndMkdir);
  EXPECT_EQ(both.exit_code, 0) << both;
  EXPECT_EQ(both.out, "6\ndone\nmade\n");
}

// Processes that crash or are killed in the middle of syscalls (the container's PID 1 ignores
// signals it has no handler for, so they are its children here; the timeout test kills PID 1).
TEST_F(RecordRuncTest, CrashingAndKilledProcessesStillGiveAProfile) {
  const CommandResult r = Record(
      "echo crash; sh -c 'kill -SEGV $$'; echo status=$?; sh -c 'kill -KILL $$'; echo status=$?",
      path("crash.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "crash\nstatus=139\nstatus=137\n");  // 128 + SIGSEGV, 128 + SIGKILL
  EXPECT_NE(r.err.find("workload exited with 0"), std::string::npos) << r;
  EXPECT_NE(ReadText(path("crash.yaml")).find(" kill,"), std::string::npos);
}

TEST_F(RecordRuncTest, TimeoutStopsTheWorkloadAndKeepsWhatWasSeen) {
  const CommandResult r = Record("echo started; sleep 600", path("slow.yaml"), {"--timeout", "5s"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "started\n");
  EXPECT_NE(r.err.find("(stopped by timeout)"), std::string::npos) << r;
  const std::string yaml = ReadText(path("slow.yaml"));
  EXPECT_TRUE(yaml.find("nanosleep") != std::string::npos) << yaml;  // sleep was under way
}

// SIGTERM to the recorder once the workload is under way (it printed "started"): the
// container is killed and the profile holds what was seen.
TEST_F(RecordRuncTest, SigtermStopsTheWorkloadAndKeepsWhatWasSeen) {
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  const std::string err_file = path("err.txt").string();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], 1);
    const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(err, 2);
    const std::string output = path("term.yaml").string();
    const std::string root = rootfs().string();
    execl(CSP_AGENT_PATH, CSP_AGENT_PATH, "record", "--rootfs", root.c_str(), "-o", output.c_str(),
          "--", "/bin/sh", "-c", "echo started; sleep 600", nullptr);
    _exit(127);
  }
  close(out[1]);
  std::string seen;
  char c;
  while (seen.find("started\n") == std::string::npos && read(out[0], &c, 1) == 1) seen += c;
  ASSERT_EQ(seen, "started\n");
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  close(out[0]);
  const std::string err = ReadText(err_file);
  ASSERT_TRUE(WIFEXITED(status)) << err;
  EXPECT_EQ(WEXITSTATUS(status), 0) << err;
  EXPECT_NE(err.find("(stopped by SIGTERM)"), std::string::npos) << err;
  EXPECT_NE(ReadText(path("term.yaml")).find("nanosleep"), std::string::npos);
}

TEST_F(RecordRuncTest, BadInvocationsAreUsageErrors) {
  EXPECT_EQ(Agent({"record"}).exit_code, 2);
  EXPECT_EQ(Agent({"record", "--rootfs", rootfs().string()}).exit_code, 2);  // no command
  EXPECT_EQ(Agent({"record", "--rootfs", "x", "--bundle", "y", "--", "sh"}).exit_code, 2);
  EXPECT_EQ(Agent({"record", "--merge"}).exit_code, 2);
  EXPECT_EQ(Agent({"record", "--name", "Not/A-Name", "--rootfs", "x", "--", "sh"}).exit_code, 2);
  EXPECT_EQ(Agent({"record", "--timeout", "soon", "--rootfs", "x", "--", "sh"}).exit_code, 2);
  const CommandResult missing =
      Agent({"record", "--runc", "/nonexistent/runc", "--rootfs", rootfs(), "--", "sh"});
  EXPECT_EQ(missing.exit_code, 1) << missing;
  const CommandResult help = Agent({"record", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--merge"), std::string::npos);
}

// The recorder is a separate process here, so that it can really die: SIGKILL closes its
// listener fd (runc closed its own copies after the hand-over). From then on the kernel fails
// every syscall the filter would have notified with ENOSYS, in the running container too:
// the container ends instead of hanging, and runc run returns.
TEST_F(RecordRuncTest, ContainerDoesNotHangWhenTheRecorderDies) {
  const fs::path socket = path("notify.sock");
  const fs::path sync = path("sync");
  fs::create_directories(sync);
  ASSERT_EQ(mkfifo((sync / "fifo").c_str(), 0600), 0);

  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t recorder = fork();
  ASSERT_GE(recorder, 0);
  if (recorder == 0) {
    Result<std::unique_ptr<NotifyListener>> listener = NotifyListener::Start(socket);
    const char ok = listener ? '1' : '0';
    [[maybe_unused]] ssize_t n = write(ready[1], &ok, 1);
    for (;;) pause();
  }
  close(ready[1]);
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  close(ready[0]);
  ASSERT_EQ(ok, '1');

  Result<std::vector<std::string>> known = KnownSyscallNames({"SCMP_ARCH_X86_64"});
  ASSERT_TRUE(known) << known.error().message;
  const nlohmann::json seccomp = RecordingSeccomp(*known, {"SCMP_ARCH_X86_64"}, socket.string());
  const nlohmann::json mounts = nlohmann::json::array({{{"destination", "/sync"},
                                                        {"type", "bind"},
                                                        {"source", sync.string()},
                                                        {"options", {"rbind", "rw"}}}});
  // cat opens the fifo (notified and answered while the recorder lives), then reads it after
  // the recorder is dead. `exec`: no shell is left to retry a failing syscall in a loop (busybox
  // sh's `read` did, writing an error line per try until runc's time limit).
  ASSERT_EQ(
      test::WriteBundle(path("bundle"), rootfs(),
                        {"/bin/sh", "-c", "echo before; exec cat /sync/fifo"}, seccomp, mounts),
      "");
  std::future<CommandResult> run =
      std::async(std::launch::async, [&] { return test::RunBundle(path("bundle"), 60); });

  // Opening for writing succeeds once the container has opened the fifo for reading.
  int fifo = -1;
  for (int i = 0; i < 600 && fifo < 0; ++i) {
    fifo = open((sync / "fifo").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(recorder, SIGKILL);
  waitpid(recorder, nullptr, 0);
  ASSERT_GE(fifo, 0) << "the container never opened the fifo";
  // The container may already have ended (its next syscall after open failed), so the write may
  // find no reader.
  [[maybe_unused]] ssize_t n = write(fifo, "go\n", 3);
  close(fifo);

  const CommandResult result = run.get();
  EXPECT_NE(result.exit_code, 124) << "runc run hung after the recorder died\n" << result;
  EXPECT_TRUE(result.out.starts_with("before\n")) << result;
  // cat's first read may have been let through before the recorder died (it then returns "go");
  // the next notified syscall fails with ENOSYS, so cat fails; exit_group is never notified
  // (kRuntimeNeeds), so it exits normally.
  EXPECT_NE(result.exit_code, 0) << result;
  EXPECT_NE(result.err.find("Function not implemented"), std::string::npos) << result;
}

}  // namespace
}  // namespace csp::record
