#include "csp/record/runc_recording.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "csp/agent/run_program.h"
#include "csp/record/libseccomp_names.h"
#include "csp/record/notify_listener.h"
#include "csp/record/recording_spec.h"

extern char** environ;

namespace csp::record {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// A fresh folder, removed with its contents when the scope ends.
class WorkDir {
 public:
  WorkDir() {
    std::string pattern = (fs::temp_directory_path() / "csp-record-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~WorkDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Blocks SIGINT and SIGTERM in this thread (and in threads started from now on) and reads them
// from a signalfd; restores the mask when the scope ends.
class SignalCatcher {
 public:
  SignalCatcher() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
    fd_ = signalfd(-1, &set, SFD_CLOEXEC);
  }
  ~SignalCatcher() {
    if (fd_ >= 0) close(fd_);
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SignalCatcher(const SignalCatcher&) = delete;
  SignalCatcher& operator=(const SignalCatcher&) = delete;
  int fd() const { return fd_; }
  const sigset_t& old_mask() const { return old_; }

 private:
  sigset_t old_;
  int fd_ = -1;
};

Result<std::string> FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = getenv("PATH");
  std::istringstream dirs(path ? path
                               : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return Error{Code::kFailedPrecondition, name + ": not found in PATH"};
}

Result<nlohmann::json> ReadJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument(path.string() + ": cannot open");
  nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded()) return InvalidArgument(path.string() + ": not JSON");
  return json;
}

// The config the workload runs with before the recording's changes, and the folder its
// relative root.path is relative to.
Result<nlohmann::json> BaseSpec(const RecordRequest& request, const std::string& runc,
                                const fs::path& work) {
  if (!request.bundle.empty()) return ReadJson(request.bundle / "config.json");
  Result<agent::ProgramResult> spec =
      agent::RunProgram({runc, "spec", "--bundle", work.string()}, {});
  if (!spec) return spec.error();
  if (spec->exit_code != 0) return Internal("runc spec: " + spec->err);
  CSP_TRY(nlohmann::json json, ReadJson(work / "config.json"));
  json["root"]["path"] = fs::absolute(request.rootfs).lexically_normal().string();
  return json;
}

// Starts `runc run`: the caller's stdio, the signal mask from before SignalCatcher.
Result<pid_t> SpawnRunc(const std::string& runc, const fs::path& work, const std::string& id,
                        const sigset_t& mask) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigmask(&attr, &mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  const std::string bundle = work.string();
  std::vector<std::string> args = {runc, "run", "--bundle", bundle, id};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, runc.c_str(), nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Internal(runc + ": " + std::strerror(rc));
  return pid;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// Waits for `pid` to exit, for a signal on `signal_fd`, or for `timeout`. Returns what ended
// the wait: "" (the process exited), "SIGINT", "SIGTERM" or "timeout".
std::string WaitForExitOrStop(int pidfd, int signal_fd, std::optional<milliseconds> timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout.value_or(milliseconds(0));
  for (;;) {
    int wait_ms = -1;
    if (timeout) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "timeout";
      wait_ms = static_cast<int>(left.count());
    }
    struct pollfd fds[] = {{.fd = pidfd, .events = POLLIN, .revents = 0},
                           {.fd = signal_fd, .events = POLLIN, .revents = 0}};
    const int n = poll(fds, 2, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (fds[0].revents != 0) return "";
    if (fds[1].revents != 0) {
      struct signalfd_siginfo info = {};
      if (read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
        return info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
      }
    }
  }
}

// Kills the container (its init, and with it its PID namespace) and, if runc run still does
// not exit, runc run itself.
void StopContainer(const std::string& runc, const std::string& id, pid_t runc_pid, int pidfd) {
  agent::ProgramOptions quick{.timeout = std::chrono::seconds(10)};
  for (int attempt = 0; attempt < 50; ++attempt) {
    Result<agent::ProgramResult> killed = agent::RunProgram({runc, "kill", id, "KILL"}, quick);
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN, .revents = 0};
    // runc run may not have created the container yet: try again shortly.
    if (poll(&pfd, 1, killed && killed->exit_code == 0 ? 10000 : 200) > 0) return;
  }
  kill(runc_pid, SIGKILL);
}

}  // namespace

Result<RecordOutcome> RecordWithRunc(const RecordRequest& request) {
  if (request.bundle.empty() == request.rootfs.empty()) {
    return InvalidArgument("give a bundle or a root filesystem");
  }
  if (!request.rootfs.empty() && request.args.empty()) {
    return InvalidArgument("a root filesystem needs a command");
  }
  CSP_TRY(const std::string runc, FindProgram(request.runc));
  WorkDir work;
  if (work.path().empty()) return Internal(Errno("mkdtemp"));
  CSP_TRY(nlohmann::json base, BaseSpec(request, runc, work.path()));
  CSP_TRY(std::vector<std::string> known, KnownSyscallNames(request.architectures));
  const fs::path socket = work.path() / "notify.sock";
  const nlohmann::json seccomp = RecordingSeccomp(known, request.architectures, socket.string());
  CSP_TRY(nlohmann::json spec,
          RecordingSpec(std::move(base),
                        request.bundle.empty() ? work.path() : fs::absolute(request.bundle),
                        request.args, seccomp));
  std::ofstream(work.path() / "config.json") << spec.dump(2);

  SignalCatcher signals;  // before the listener's thread starts, so that it inherits the mask
  if (signals.fd() < 0) return Internal(Errno("signalfd"));
  CSP_TRY(std::unique_ptr<NotifyListener> listener, NotifyListener::Start(socket));
  const std::string id =
      "csp-record-" + std::to_string(getpid()) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  CSP_TRY(pid_t pid, SpawnRunc(runc, work.path(), id, signals.old_mask()));
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return Internal(Errno("pidfd_open"));
  }

  RecordOutcome outcome;
  outcome.stopped_by = WaitForExitOrStop(pidfd, signals.fd(), request.timeout);
  if (!outcome.stopped_by.empty()) StopContainer(runc, id, pid, pidfd);
  close(pidfd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.exit_code = ExitCode(status);
  // runc run removes its container when it exits; this is for a runc run we had to kill.
  (void)agent::RunProgram({runc, "delete", "--force", id}, {.timeout = std::chrono::seconds(10)});

  listener->Stop();
  outcome.record = listener->Record();
  outcome.connections = listener->Connections();
  outcome.problems = listener->Problems();
  return outcome;
}

}  // namespace csp::record
