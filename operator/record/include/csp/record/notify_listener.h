// The recorder's side of seccomp user notification: a unix socket at the OCI listenerPath where
// runc hands over each container's notify fd (the container process state as JSON, the fd by
// SCM_RIGHTS), and a thread that answers every notification with "continue" after recording
// the syscall's architecture and number. It never holds a syscall longer than one record and
// one ioctl.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "csp/common/result.h"
#include "csp/record/syscall_record.h"

namespace csp::record {

// Who a notify fd belongs to, from the container process state runc sends with it: `metadata`
// is the OCI listenerMetadata of the profile; the rest are containerd's CRI annotations
// (io.kubernetes.cri.sandbox-namespace, sandbox-name, container-name), empty outside
// Kubernetes.
struct ContainerIdentity {
  std::string metadata = {};
  std::string pod_namespace = {};
  std::string pod = {};
  std::string container = {};
};

// One container (one notify fd) whose tasks have all exited, with what it called.
struct EndedContainer {
  ContainerIdentity identity = {};
  SyscallRecord record = {};
};

class NotifyListener {
 public:
  // Binds a unix socket at `socket_path` (a stale socket there is replaced) and starts the
  // thread.
  static Result<std::unique_ptr<NotifyListener>> Start(const std::filesystem::path& socket_path);
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  // Ends the thread, then closes the socket and every notify fd. The kernel then fails each
  // syscall the filter would have notified with ENOSYS, in every container still running.
  void Stop();

  // What was seen so far.
  SyscallRecord Record() const;
  // The containers that ended since the last call, oldest first.
  std::vector<EndedContainer> TakeEnded();
  // How many notify fds runc handed over (one per container or exec'd process).
  int Connections() const;
  // Hand-overs that failed (a message without a seccomp fd, unreadable JSON), one line each.
  std::vector<std::string> Problems() const;

 private:
  explicit NotifyListener(int listen_fd, std::filesystem::path socket_path);
  void Loop();
  void Accept();
  void Answer(int notify_fd);

  const int listen_fd_;
  const int stop_fd_;
  const std::filesystem::path socket_path_;
  std::vector<int> notify_fds_;  // the thread's alone
  mutable std::mutex mu_;
  SyscallRecord record_;                    // every container's
  std::map<int, EndedContainer> sessions_;  // by notify fd, while it is open
  std::vector<EndedContainer> ended_;
  int connections_ = 0;
  std::vector<std::string> problems_;
  std::jthread thread_;
};

}  // namespace csp::record
