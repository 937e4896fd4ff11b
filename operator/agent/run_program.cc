#include "csp/agent/run_program.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "unique_fd.h"

namespace csp::agent {
namespace {

using internal::UniqueFd;
using Clock = std::chrono::steady_clock;

Error SysError(std::string_view what) {
  return Internal(std::string(what) + ": " + std::strerror(errno));
}

// Reads what is available on `fd` into `out` (up to `max` kept); false at end of stream.
bool Drain(int fd, std::string& out, std::size_t max) {
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  const std::size_t keep = std::min(static_cast<std::size_t>(n), max - std::min(max, out.size()));
  out.append(buffer, keep);
  return true;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result<ProgramResult> RunProgram(const std::vector<std::string>& argv,
                                 const ProgramOptions& options) {
  if (argv.empty()) return InvalidArgument("RunProgram: empty argv");
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed (the agent has other threads).
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  // stdin is a socket, not a pipe: send(MSG_NOSIGNAL) to a child that exited early gives EPIPE
  // instead of a SIGPIPE that would kill the agent.
  int in_pair[2], out_pipe[2], err_pipe[2], exec_pipe[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
    return SysError("socketpair");
  }
  UniqueFd in_parent(in_pair[0]), in_child(in_pair[1]);
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return SysError("pipe");
  UniqueFd out_parent(out_pipe[0]), out_child(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return SysError("pipe");
  UniqueFd err_parent(err_pipe[0]), err_child(err_pipe[1]);
  // Carries exec's errno to the parent; closed by a successful exec (O_CLOEXEC).
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) return SysError("pipe");
  UniqueFd exec_parent(exec_pipe[0]), exec_child(exec_pipe[1]);

  const pid_t pid = ::fork();
  if (pid < 0) return SysError("fork");
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so that a timeout kills what it started too
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(in_child.get(), 0) < 0 || ::dup2(out_child.get(), 1) < 0 ||
        ::dup2(err_child.get(), 2) < 0) {
      _exit(127);
    }
    ::execv(args[0], args.data());
    const int err = errno;
    [[maybe_unused]] ssize_t ignored = ::write(exec_child.get(), &err, sizeof err);
    _exit(127);
  }
  in_child.Reset();
  out_child.Reset();
  err_child.Reset();
  exec_child.Reset();

  int exec_errno = 0;
  if (::read(exec_parent.get(), &exec_errno, sizeof exec_errno) ==
      static_cast<ssize_t>(sizeof exec_errno)) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return Internal("cannot run " + argv[0] + ": " + std::strerror(exec_errno));
  }

  ProgramResult result;
  std::string_view pending = options.stdin_data;
  if (pending.empty()) ::shutdown(in_parent.get(), SHUT_WR);
  const Clock::time_point deadline = Clock::now() + options.timeout;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    // A negative fd is skipped by poll: a closed stream would otherwise report POLLHUP
    // on every call and spin the loop.
    pollfd fds[3] = {{out_open ? out_parent.get() : -1, POLLIN, 0},
                     {err_open ? err_parent.get() : -1, POLLIN, 0},
                     {pending.empty() ? -1 : in_parent.get(), POLLOUT, 0}};
    const int ready = ::poll(fds, 3, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (fds[0].revents != 0)
      out_open = Drain(out_parent.get(), result.out, options.max_output_bytes);
    if (fds[1].revents != 0)
      err_open = Drain(err_parent.get(), result.err, options.max_output_bytes);
    if (fds[2].revents != 0 && !pending.empty()) {
      const ssize_t n =
          ::send(in_parent.get(), pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) pending.remove_prefix(static_cast<std::size_t>(n));
      // The child stopped reading (exited, or closed stdin): the rest is not wanted.
      if (n < 0 && errno != EAGAIN && errno != EINTR) pending = {};
      if (pending.empty()) ::shutdown(in_parent.get(), SHUT_WR);
    }
  }
  if (result.timed_out) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = ExitCode(status);
  return result;
}

}  // namespace csp::agent
