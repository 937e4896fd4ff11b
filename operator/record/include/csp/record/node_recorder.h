// Recording on a Kubernetes node (`csp-agent run --record NAME`): csp-agent is the seccomp
// agent of the containers that run under a recording profile, and writes what each recording
// saw as a SecurityProfile. containerd 1.6 passes listenerPath and listenerMetadata of a
// Localhost profile through to runc unchanged, so a profile file is all the runtime needs.
//
// Under the node's root (--root):
//   var/run/containersecurity/recorder.sock                     the listener socket
//   var/lib/kubelet/seccomp/containersecurity-recording/NAME.json  the recording profile:
//       RecordingSeccomp with that socket and listenerMetadata NAME; Pods use it as
//       localhostProfile containersecurity-recording/NAME.json (outside the folder the agent
//       syncs from SecurityProfiles, which it would sweep)
//   var/lib/containersecurity/recordings/NAME.yaml              the recorded SecurityProfile
//       NAME, rewritten each time a recorded container ends: the union of every container that
//       ran under NAME's profile since the agent started (as `csp-agent record --merge`)
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "csp/common/result.h"
#include "csp/record/notify_listener.h"
#include "csp/record/syscall_record.h"

namespace csp::record {

struct NodeRecorderOptions {
  std::filesystem::path root = "/";
  std::vector<std::string> names = {};  // recordings, each a SecurityProfile name
  // SCMP_ARCH_* names the recording filter and the recorded profiles cover, native first.
  std::vector<std::string> architectures = {};
};

struct NodeRecorderPaths {
  std::filesystem::path socket;
  std::filesystem::path recording_profiles;  // folder of NAME.json
  std::filesystem::path recorded_profiles;   // folder of NAME.yaml
  static NodeRecorderPaths ForRoot(const std::filesystem::path& root);
};

class NodeRecorder {
 public:
  // Starts the listener, writes each recording profile, then collects ended containers on a
  // thread of its own (every 200 ms) so that the listener's thread only answers syscalls. The
  // destructor removes the recording profiles (a Pod naming one then fails to start instead of
  // hanging in runc), then stops the listener.
  static Result<std::unique_ptr<NodeRecorder>> Start(const NodeRecorderOptions& options);
  ~NodeRecorder();
  NodeRecorder(const NodeRecorder&) = delete;
  NodeRecorder& operator=(const NodeRecorder&) = delete;

  const NodeRecorderPaths& paths() const { return paths_; }

 private:
  NodeRecorder(NodeRecorderOptions options, NodeRecorderPaths paths,
               std::unique_ptr<NotifyListener> listener);
  void Collect();
  void Write(const std::string& name);

  const NodeRecorderOptions options_;
  const NodeRecorderPaths paths_;
  std::unique_ptr<NotifyListener> listener_;
  // The collector thread's alone.
  std::map<std::string, SyscallRecord> records_;
  std::map<std::string, std::set<std::string>> containers_;  // "namespace/pod/container"
  std::jthread collector_;
};

}  // namespace csp::record
