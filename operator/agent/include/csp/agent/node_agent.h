// NodeAgent: the loop of `csp-agent run` on one node.
//
//   install thread (Run)   defaults first, before the API server is even asked; then, after the
//                          informers' first lists, a full pass; then a pass per change (a
//                          SecurityProfile added, changed or deleted, the Node's labels
//                          changed), per due retry and per resync period (a full pass again).
//                          A pass only installs and removes files (ProfileSync) and hands the
//                          outcome to the status thread; it never waits for the API server.
//   report thread          writes this node's report (StatusWriter::WriteNodeReport), which the
//                          operator's node facts read; no other agent writes it.
//   status thread          writes this node's entry in each SecurityProfile's status,
//                          comparing first with the informer's copy of this node's entry and
//                          with what it wrote itself, so that passes with nothing new write
//                          nothing. Each of the two takes the newest plan of the last pass
//                          (LatestPlanWriter): the status's conflicts with other agents never
//                          delay the report, and neither delays the next install.
//   informer threads       SecurityProfiles (all; cluster-scoped) and this node's Node (field
//                          selector metadata.name=<node>), each with a compact cache value.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "csp/agent/latest_plan_writer.h"
#include "csp/agent/node_report.h"
#include "csp/agent/profile_object.h"
#include "csp/agent/profile_sync.h"
#include "csp/agent/status_writer.h"
#include "csp/kube/client.h"
#include "csp/kube/informer.h"
#include "csp/profiles/render_target.h"
#include "csp/serve/metrics_text.h"

namespace csp::agent {

struct NodeAgentOptions {
  std::string node = {};
  // The machine and kernel csp-default seccomp is rendered for.
  profiles::RenderTarget target = {};
  // A full pass (everything checked against disk and kernel, strays removed, status compared
  // afresh) this often, with up to 10 % jitter so that agents do not resync together.
  std::chrono::seconds resync_period{600};
  // After a failed status write, the status thread tries again after this, doubling to 5 min
  // (but not after writes that lost every race: those are tried again after this at once).
  std::chrono::milliseconds status_retry{2'000};
  ProfileSync::Options sync = {};
  StatusWriterOptions status = {};  // its node is set from `node`
};

// The compact cache value of the agent's own Node.
struct NodeInfo {
  std::map<std::string, std::string> labels = {};
};
NodeInfo NodeInfoFrom(const nlohmann::json& node);

class NodeAgent {
 public:
  NodeAgent(kube::Client& client, ProfileInstaller& installer, NodeAgentOptions options);
  NodeAgent(const NodeAgent&) = delete;
  NodeAgent& operator=(const NodeAgent&) = delete;
  ~NodeAgent();

  // Runs until `stop` is requested. Call once.
  void Run(std::stop_token stop);

  // True once the informers have listed and the first full pass has installed everything.
  bool Ready() const { return ready_.load(); }

  // Prometheus families of the agent (csp_agent_*) and its process (process_*).
  void RenderMetrics(serve::MetricsText& out) const;

 private:
  // What the status thread should make the API server say, from one pass.
  struct ProfilePlan {
    std::string name = {};
    std::string uid = {};
    std::optional<NodeStatusEntry> cached = {};   // this node's entry, as the informer saw it
    std::optional<NodeStatusEntry> desired = {};  // nullopt: the profile does not select the node
  };
  // What the report thread should make this node's report say, from one pass.
  struct ReportPlan {
    std::uint64_t sequence = 0;
    bool verify = false;  // forget what was written before: compare afresh
    std::vector<NodeProfileResult> results = {};
  };
  struct StatusPlan {
    std::uint64_t sequence = 0;
    bool verify = false;  // forget what was written before: compare everything afresh
    std::vector<ProfilePlan> profiles = {};
  };

  void Wake();
  void Pass(bool full);
  // Write what `plan` asks for; the first error when something failed and should be retried
  // (kAborted: only conflicts, to be retried soon).
  Status WriteReport(const ReportPlan& plan, std::stop_token stop);
  Status WriteStatus(const StatusPlan& plan, std::stop_token stop);

  kube::Client& client_;
  NodeAgentOptions options_;
  ProfileObjectTransform transform_;
  kube::Informer<ProfileObject> profiles_;
  kube::Informer<NodeInfo> node_;
  ProfileSync sync_;
  StatusWriter writer_;
  std::vector<DesiredProfile> defaults_;

  // Install thread wake-ups.
  std::mutex wake_mu_;
  std::condition_variable_any wake_cv_;
  bool dirty_ = false;

  // The report and status threads' mailboxes and loops.
  LatestPlanWriter<ReportPlan> reports_;
  LatestPlanWriter<StatusPlan> statuses_;
  // Report thread memory (its thread only).
  std::optional<std::vector<NodeProfileResult>> report_written_;
  // Status thread memory (its thread only).
  std::map<std::string, std::pair<std::string, std::optional<NodeStatusEntry>>> status_written_;

  // For /metrics.
  std::atomic<bool> ready_{false};
  mutable std::mutex metrics_mu_;
  std::vector<ProfileOutcome> last_outcomes_;
  SyncStats sync_stats_;
  std::uint64_t full_passes_ = 0;
  std::uint64_t passes_ = 0;
  double last_pass_seconds_ = 0;
  bool node_found_ = false;
};

}  // namespace csp::agent
