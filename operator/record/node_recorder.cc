#include "csp/record/node_recorder.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>

#include "csp/agent/atomic_file.h"
#include "csp/log/log.h"
#include "csp/profiles/profile_name.h"
#include "csp/record/libseccomp_names.h"
#include "csp/record/recorded_profile.h"
#include "csp/record/recording_spec.h"

namespace csp::record {

namespace fs = std::filesystem;

NodeRecorderPaths NodeRecorderPaths::ForRoot(const fs::path& root) {
  return {.socket = root / "var/run/containersecurity/recorder.sock",
          .recording_profiles = root / "var/lib/kubelet/seccomp/containersecurity-recording",
          .recorded_profiles = root / "var/lib/containersecurity/recordings"};
}

Result<std::unique_ptr<NodeRecorder>> NodeRecorder::Start(const NodeRecorderOptions& options) {
  for (const std::string& name : options.names) {
    if (Status s = profiles::ValidateProfileName(name); !s) {
      return InvalidArgument("recording " + name + ": " + s.error().message);
    }
  }
  // runc connects to listenerPath from the host's mount namespace: the path must be absolute.
  const NodeRecorderPaths paths = NodeRecorderPaths::ForRoot(fs::absolute(options.root));
  for (const fs::path& dir :
       {paths.socket.parent_path(), paths.recording_profiles, paths.recorded_profiles}) {
    if (Status s = agent::MakeDirectories(dir, 0755); !s) return s.error();
  }
  CSP_TRY(std::vector<std::string> known, KnownSyscallNames(options.architectures));
  CSP_TRY(std::unique_ptr<NotifyListener> listener, NotifyListener::Start(paths.socket));
  for (const std::string& name : options.names) {
    nlohmann::json seccomp = RecordingSeccomp(known, options.architectures, paths.socket.string());
    seccomp["listenerMetadata"] = name;  // tells the recorder which recording a container is
    if (Status s = agent::WriteFileAtomic(paths.recording_profiles, name + ".json",
                                          seccomp.dump(2) + "\n", 0644);
        !s) {
      return s.error();
    }
  }
  return std::unique_ptr<NodeRecorder>(new NodeRecorder(options, paths, std::move(listener)));
}

NodeRecorder::NodeRecorder(NodeRecorderOptions options, NodeRecorderPaths paths,
                           std::unique_ptr<NotifyListener> listener)
    : options_(std::move(options)),
      paths_(std::move(paths)),
      listener_(std::move(listener)),
      collector_([this](std::stop_token stop) {
        std::mutex mu;
        std::condition_variable_any wake;
        std::unique_lock lock(mu);
        while (!stop.stop_requested()) {
          wake.wait_for(lock, stop, std::chrono::milliseconds(200), [] { return false; });
          Collect();
        }
      }) {}

NodeRecorder::~NodeRecorder() {
  // Without a listener, runc 1.1.5 deadlocks on a recording profile: runc create cannot
  // connect to listenerPath and waits for its init, which holds the notify fd itself and is
  // blocked in a notified read(2) (the Pod stays ContainerCreating until init is killed). Without
  // the file, kubelet refuses such a Pod instead (CreateContainerError).
  for (const std::string& name : options_.names) {
    if (Result<bool> removed = agent::RemoveFileDurably(paths_.recording_profiles, name + ".json");
        !removed) {
      LogWarn("cannot remove the recording profile",
              {{"recording", name}, {"error", removed.error().message}});
    }
  }
  collector_.request_stop();
  collector_.join();
  // Containers still recording get ENOSYS from every notified syscall from now on.
  listener_->Stop();
}

void NodeRecorder::Collect() {
  std::set<std::string> changed;
  for (EndedContainer& ended : listener_->TakeEnded()) {
    const ContainerIdentity& who = ended.identity;
    const std::string& name = who.metadata;
    if (std::find(options_.names.begin(), options_.names.end(), name) == options_.names.end()) {
      LogWarn("a container with an unknown recording ended; not recorded",
              {{"recording", name}, {"pod", who.pod_namespace + "/" + who.pod}});
      continue;
    }
    records_[name].Merge(ended.record);
    containers_[name].insert(who.pod_namespace + "/" + who.pod + "/" + who.container);
    changed.insert(name);
  }
  for (const std::string& name : changed) Write(name);
}

void NodeRecorder::Write(const std::string& name) {
  const ResolvedRecord resolved = ResolveRecord(records_[name]);
  for (const std::string& unknown : resolved.unknown) {
    LogWarn("a recorded syscall has no name in libseccomp; left out",
            {{"recording", name}, {"syscall", unknown}});
  }
  const profiles::SecurityProfile profile =
      BuildRecordedProfile(resolved.names, {.name = name, .architectures = options_.architectures});
  std::ostringstream comment;
  comment << "Recorded by csp-agent on a node, from the containers (namespace/pod/container):";
  for (const std::string& container : containers_[name]) comment << "\n  " << container;
  comment << "\nAlso allowed, as runc needs them (see docs/agent.md):";
  for (std::string_view always : kNotNotifiable) comment << " " << always;
  for (std::string_view always : kRuntimeNeeds) comment << " " << always;
  const std::string yaml = SecurityProfileYaml(profile, comment.str());
  if (Status s = agent::WriteFileAtomic(paths_.recorded_profiles, name + ".yaml", yaml, 0644); !s) {
    LogWarn("cannot write the recorded profile",
            {{"recording", name}, {"error", s.error().message}});
    return;
  }
  LogInfo("recorded profile written",
          {{"recording", name},
           {"containers", std::to_string(containers_[name].size())},
           {"syscalls", std::to_string(records_[name].size())},
           {"file", (paths_.recorded_profiles / (name + ".yaml")).string()}});
}

}  // namespace csp::record
