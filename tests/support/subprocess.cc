#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

namespace csp::test {
namespace {

using Clock = std::chrono::steady_clock;

// A child that exits before reading all of its stdin must not kill the test with SIGPIPE;
// the write then fails with EPIPE instead.
void IgnoreSigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { signal(SIGPIPE, SIG_IGN); });
}

struct Pipe {
  int read_end = -1;
  int write_end = -1;
};

bool MakePipe(Pipe& p) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  p.read_end = fds[0];
  p.write_end = fds[1];
  return true;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads what is available; closes fd at end of file.
void Drain(int& fd, std::string& sink) {
  char buf[65536];
  while (fd >= 0) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      sink.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      CloseFd(fd);
    } else if (errno == EAGAIN) {
      return;
    }
  }
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Child side of Run: only async-signal-safe calls between fork and exec.
[[noreturn]] void ExecChild(char* const* argv, const Pipe& in, const Pipe& out, const Pipe& err) {
  setpgid(0, 0);  // own process group, so a timeout kills the program's children too
  dup2(in.read_end, STDIN_FILENO);
  dup2(out.write_end, STDOUT_FILENO);
  dup2(err.write_end, STDERR_FILENO);
  execvp(argv[0], argv);
  const char msg[] = "Run: cannot execute ";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  ignored = write(STDERR_FILENO, argv[0], strlen(argv[0]));
  ignored = write(STDERR_FILENO, "\n", 1);
  (void)ignored;
  _exit(127);
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const CommandResult& result) {
  return os << "exit code " << result.exit_code << "\n--- stdout ---\n"
            << result.out << "\n--- stderr ---\n"
            << result.err;
}

CommandResult Run(const std::vector<std::string>& argv, const std::string& stdin_data,
                  int timeout_seconds) {
  CommandResult result;
  if (argv.empty()) {
    result.exit_code = 127;
    result.err = "Run: empty command line";
    return result;
  }
  IgnoreSigpipe();
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  Pipe in, out, err;
  if (!MakePipe(in) || !MakePipe(out) || !MakePipe(err)) {
    result.exit_code = 127;
    result.err = std::string("Run: pipe: ") + std::strerror(errno);
    for (Pipe* p : {&in, &out, &err}) {
      CloseFd(p->read_end);
      CloseFd(p->write_end);
    }
    return result;
  }
  const pid_t pid = fork();
  if (pid == 0) ExecChild(cargv.data(), in, out, err);
  CloseFd(in.read_end);
  CloseFd(out.write_end);
  CloseFd(err.write_end);
  if (pid < 0) {
    result.exit_code = 127;
    result.err = std::string("Run: fork: ") + std::strerror(errno);
    CloseFd(in.write_end);
    CloseFd(out.read_end);
    CloseFd(err.read_end);
    return result;
  }
  setpgid(pid, 0);  // also from the parent, whichever runs first

  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  size_t written = 0;
  if (stdin_data.empty()) CloseFd(in.write_end);
  for (int fd : {in.write_end, out.read_end, err.read_end}) {
    if (fd >= 0) SetNonBlocking(fd);
  }
  bool timed_out = false;
  while (in.write_end >= 0 || out.read_end >= 0 || err.read_end >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3] = {
        {in.write_end, POLLOUT, 0}, {out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}};
    if (poll(fds, 3, static_cast<int>(std::min<long long>(left, 1000))) < 0 && errno != EINTR)
      break;
    if (in.write_end >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(in.write_end, stdin_data.data() + written, stdin_data.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data.size()) {
        CloseFd(in.write_end);
      }
    }
    if (fds[1].revents) Drain(out.read_end, result.out);
    if (fds[2].revents) Drain(err.read_end, result.err);
  }
  CloseFd(in.write_end);
  CloseFd(out.read_end);
  CloseFd(err.read_end);

  int status = 0;
  while (!timed_out) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      result.exit_code = ExitCodeOf(status);
      return result;
    }
    if (done < 0 && errno != EINTR) {
      result.exit_code = 127;
      result.err += std::string("\nRun: waitpid: ") + std::strerror(errno);
      return result;
    }
    if (Clock::now() >= deadline) timed_out = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  result.exit_code = 124;
  result.err += "\nRun: " + argv[0] + " timed out after " + std::to_string(timeout_seconds) +
                " s and was killed";
  return result;
}

}  // namespace csp::test
