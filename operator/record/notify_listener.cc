#include "csp/record/notify_listener.h"

#include <linux/seccomp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

namespace csp::record {
namespace {

constexpr int kMaxFds = 8;
constexpr std::size_t kMaxMessageBytes = 1 << 20;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Reads one hand-over: runc connects and sends the JSON state with the fds in one sendmsg. It
// does not close its end (runc 1.1 leaks the connection until its garbage collector runs), so
// the message ends where the JSON document ends, not at EOF. Returns the seccomp fd (the
// others are closed) and whose it is, or an error.
struct Handover {
  int fd = -1;
  ContainerIdentity identity = {};
};

std::string StringAt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

ContainerIdentity IdentityOf(const nlohmann::json& state) {
  const nlohmann::json annotations =
      state.contains("state") && state["state"].is_object()
          ? state["state"].value("annotations", nlohmann::json::object())
          : nlohmann::json::object();
  return {.metadata = StringAt(state, "metadata"),
          .pod_namespace = StringAt(annotations, "io.kubernetes.cri.sandbox-namespace"),
          .pod = StringAt(annotations, "io.kubernetes.cri.sandbox-name"),
          .container = StringAt(annotations, "io.kubernetes.cri.container-name")};
}

Result<Handover> ReceiveNotifyFd(int conn) {
  // runc writes at once; a peer that stalls must not stall the recorder.
  struct timeval timeout = {.tv_sec = 5, .tv_usec = 0};
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string message;
  std::vector<int> fds;
  for (;;) {
    char data[8192];
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    const ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      for (int fd : fds) close(fd);
      return Internal(Errno("recvmsg"));
    }
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (std::size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        fds.push_back(fd);
      }
    }
    if (n == 0 || message.size() + n > kMaxMessageBytes) break;
    message.append(data, n);
    if (nlohmann::json::accept(message)) break;
  }
  int seccomp_fd = -1;
  // The state names its fds in order: {"fds": ["seccompFd"], "pid": ..., "state": {...}}.
  const nlohmann::json state = nlohmann::json::parse(message, nullptr, false);
  if (state.is_object() && state.contains("fds") && state["fds"].is_array()) {
    for (std::size_t i = 0; i < state["fds"].size() && i < fds.size(); ++i) {
      if (state["fds"][i] == "seccompFd") seccomp_fd = fds[i];
    }
  }
  for (int fd : fds) {
    if (fd != seccomp_fd) close(fd);
  }
  if (seccomp_fd < 0) {
    return InvalidArgument("a hand-over without a seccompFd (" + std::to_string(fds.size()) +
                           " fds, " + std::to_string(message.size()) + " bytes of state)");
  }
  return Handover{.fd = seccomp_fd, .identity = IdentityOf(state)};
}

}  // namespace

Result<std::unique_ptr<NotifyListener>> NotifyListener::Start(
    const std::filesystem::path& socket_path) {
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  if (path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument(path + ": longer than a unix socket path may be");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal(Errno("socket"));
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 16) != 0) {
    Error e = Internal(Errno(path));
    close(fd);
    return e;
  }
  return std::unique_ptr<NotifyListener>(new NotifyListener(fd, socket_path));
}

NotifyListener::NotifyListener(int listen_fd, std::filesystem::path socket_path)
    : listen_fd_(listen_fd),
      stop_fd_(eventfd(0, EFD_CLOEXEC)),
      socket_path_(std::move(socket_path)),
      thread_([this] { Loop(); }) {}

NotifyListener::~NotifyListener() {
  Stop();
  close(listen_fd_);
  close(stop_fd_);
  unlink(socket_path_.c_str());
}

void NotifyListener::Stop() {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(stop_fd_, &one, sizeof(one));
  thread_.join();
  for (int fd : notify_fds_) close(fd);
  notify_fds_.clear();
}

SyscallRecord NotifyListener::Record() const {
  std::lock_guard lock(mu_);
  return record_;
}

std::vector<EndedContainer> NotifyListener::TakeEnded() {
  std::lock_guard lock(mu_);
  return std::exchange(ended_, {});
}

int NotifyListener::Connections() const {
  std::lock_guard lock(mu_);
  return connections_;
}

std::vector<std::string> NotifyListener::Problems() const {
  std::lock_guard lock(mu_);
  return problems_;
}

void NotifyListener::Loop() {
  for (;;) {
    std::vector<struct pollfd> fds = {{.fd = stop_fd_, .events = POLLIN, .revents = 0},
                                      {.fd = listen_fd_, .events = POLLIN, .revents = 0}};
    for (int fd : notify_fds_) fds.push_back({.fd = fd, .events = POLLIN, .revents = 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::lock_guard lock(mu_);
      problems_.push_back(Errno("poll"));
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents & POLLIN) Accept();
    std::vector<int> gone;
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents & POLLIN) {
        Answer(fds[i].fd);
      } else if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
        gone.push_back(fds[i].fd);  // every task of that filter has exited
      }
    }
    for (int fd : gone) {
      close(fd);
      std::erase(notify_fds_, fd);
      std::lock_guard lock(mu_);
      ended_.push_back(std::move(sessions_[fd]));
      sessions_.erase(fd);
    }
  }
}

void NotifyListener::Accept() {
  const int conn = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return;  // the peer went away between poll and accept
  Result<Handover> handover = ReceiveNotifyFd(conn);
  close(conn);
  std::lock_guard lock(mu_);
  if (!handover) {
    problems_.push_back(handover.error().message);
    return;
  }
  notify_fds_.push_back(handover->fd);
  sessions_[handover->fd] = {.identity = std::move(handover->identity)};
  ++connections_;
}

void NotifyListener::Answer(int notify_fd) {
  struct seccomp_notif request;
  std::memset(&request, 0, sizeof(request));  // the kernel refuses a request that is not zeroed
  if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) {
    return;  // ENOENT: the task was killed or its syscall interrupted before we read it
  }
  {
    std::lock_guard lock(mu_);
    record_.Add(request.data.arch, request.data.nr);
    sessions_[notify_fd].record.Add(request.data.arch, request.data.nr);
  }
  struct seccomp_notif_resp response;
  std::memset(&response, 0, sizeof(response));
  response.id = request.id;
  response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  // ENOENT here too means the task is gone; nothing waits for the answer.
  ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &response);
}

}  // namespace csp::record
