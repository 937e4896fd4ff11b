#include "csp/agent/node_agent.h"

#include <malloc.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "csp/agent/pass_schedule.h"
#include "csp/agent/process_stats.h"
#include "csp/log/log.h"
#include "csp/names/names.h"
#include "csp/profiles/default_profiles.h"
#include "csp/profiles/profile_name.h"

namespace csp::agent {
namespace {

using SteadyClock = std::chrono::steady_clock;

const kube::ResourceRef kNodes{"", "v1", "nodes", false};

// How long without changes counts as settled, before freed memory is handed back.
constexpr std::chrono::seconds kSettleBeforeTrim{10};

StatusWriterOptions ForNode(StatusWriterOptions options, const std::string& node) {
  options.node = node;
  return options;
}

std::vector<DesiredProfile> DefaultDesired(const profiles::RenderTarget& target) {
  std::vector<DesiredProfile> out;
  Result<profiles::RenderedProfile> seccomp = profiles::RenderDefaultSeccomp(target);
  if (seccomp) {
    out.push_back(
        {.kind = profiles::ProfileKind::kSeccomp,
         .name = seccomp->name,
         .rendered = std::make_shared<const profiles::RenderedProfile>(std::move(*seccomp))});
  } else {
    out.push_back({.kind = profiles::ProfileKind::kSeccomp,
                   .name = std::string(names::kDefaultProfileName),
                   .error = seccomp.error().message});
  }
  profiles::RenderedProfile apparmor = profiles::RenderDefaultAppArmor();
  out.push_back(
      {.kind = profiles::ProfileKind::kAppArmor,
       .name = apparmor.name,
       .rendered = std::make_shared<const profiles::RenderedProfile>(std::move(apparmor))});
  return out;
}

void LogOutcome(const ProfileOutcome& outcome) {
  const std::string_view type = profiles::ProfileKindName(outcome.kind);
  const std::string_view state = NodeProfileStateName(outcome.state);
  if (outcome.state == NodeProfileState::kFailed) {
    LogWarn(
        "profile not installed",
        {{"profile", outcome.name}, {"type", type}, {"state", state}, {"reason", outcome.message}});
  } else {
    LogInfo("profile state", {{"profile", outcome.name},
                              {"type", type},
                              {"state", state},
                              {"message", outcome.message}});
  }
}

}  // namespace

NodeInfo NodeInfoFrom(const nlohmann::json& node) {
  NodeInfo info;
  if (!node.is_object() || !node.contains("metadata")) return info;
  const nlohmann::json& metadata = node["metadata"];
  if (!metadata.is_object() || !metadata.contains("labels")) return info;
  const nlohmann::json& labels = metadata["labels"];
  if (!labels.is_object()) return info;
  for (const auto& [key, value] : labels.items()) {
    if (value.is_string()) info.labels[key] = value.get<std::string>();
  }
  return info;
}

NodeAgent::NodeAgent(kube::Client& client, ProfileInstaller& installer, NodeAgentOptions options)
    : client_(client),
      options_(std::move(options)),
      transform_(options_.node),
      profiles_(
          client,
          {.resource = kSecurityProfiles,
           .on_error =
               [](const Error& error) {
                 LogWarn("watching SecurityProfiles failed; retrying", {{"error", error.message}});
               }},
          [this](const nlohmann::json& object) { return transform_(object); }),
      node_(client,
            {.resource = kNodes,
             .field_selector = "metadata.name=" + options_.node,
             .on_error =
                 [](const Error& error) {
                   LogWarn("watching the Node failed; retrying", {{"error", error.message}});
                 }},
            &NodeInfoFrom),
      sync_(installer, options_.sync),
      writer_(client, ForNode(options_.status, options_.node)),
      defaults_(DefaultDesired(options_.target)),
      reports_(
          [this](const ReportPlan& plan, std::stop_token stop) { return WriteReport(plan, stop); },
          options_.status_retry),
      statuses_(
          [this](const StatusPlan& plan, std::stop_token stop) { return WriteStatus(plan, stop); },
          options_.status_retry) {
  profiles_.AddHandlers({
      .on_add = [this](const std::string&, const ProfileObject&) { Wake(); },
      .on_update = [this](const std::string&, const ProfileObject&,
                          const ProfileObject&) { Wake(); },
      .on_delete =
          [this](const std::string&, const ProfileObject& last) {
            transform_.Forget(last.name);
            Wake();
          },
  });
  // Node status heartbeats change the object often; only its labels matter here.
  node_.AddHandlers({
      .on_add = [this](const std::string&, const NodeInfo&) { Wake(); },
      .on_update =
          [this](const std::string&, const NodeInfo& before, const NodeInfo& after) {
            if (before.labels != after.labels) Wake();
          },
      .on_delete = [this](const std::string&, const NodeInfo&) { Wake(); },
  });
}

NodeAgent::~NodeAgent() = default;

void NodeAgent::Wake() {
  {
    std::lock_guard lock(wake_mu_);
    dirty_ = true;
  }
  wake_cv_.notify_one();
}

void NodeAgent::Run(std::stop_token stop) {
  // The defaults need no object and no API server: install them first.
  {
    std::vector<ProfileOutcome> outcomes = sync_.Sync(defaults_, false, SteadyClock::now());
    for (const ProfileOutcome& outcome : outcomes) LogOutcome(outcome);
    std::lock_guard lock(metrics_mu_);
    last_outcomes_ = std::move(outcomes);
    sync_stats_ = sync_.stats();
  }

  std::jthread report([this, stop] { reports_.Run(stop); });
  std::jthread status([this, stop] { statuses_.Run(stop); });
  std::jthread profiles([this, stop] { profiles_.Run(stop); });
  std::jthread node([this, stop] { node_.Run(stop); });
  LogInfo("waiting for the first list of SecurityProfiles and the Node", {{"node", options_.node}});
  if (!profiles_.WaitForSync(stop) || !node_.WaitForSync(stop)) return;

  std::mt19937_64 rng(std::random_device{}());
  auto next_resync = [&] {
    const double jitter = 1.0 + 0.1 * std::uniform_real_distribution<double>(0, 1)(rng);
    return SteadyClock::now() +
           std::chrono::duration_cast<SteadyClock::duration>(options_.resync_period * jitter);
  };
  {
    std::lock_guard lock(wake_mu_);
    dirty_ = false;  // the first pass sees everything the lists brought
  }
  Pass(true);
  ready_ = true;
  LogInfo("ready: profiles installed", {{"node", options_.node}});
  SteadyClock::time_point resync_at = next_resync();

  // Once a burst of changes has settled, the memory it took (event objects, status round
  // trips) goes back to the kernel: malloc keeps freed pages otherwise.
  bool trim_pending = true;  // the start-up's too
  SteadyClock::time_point trim_at = SteadyClock::now() + kSettleBeforeTrim;
  while (!stop.stop_requested()) {
    const PassTimers timers{.resync_at = resync_at,
                            .retry = sync_.NextRetry(),
                            .trim_at = trim_pending ? std::optional(trim_at) : std::nullopt};
    bool woken = false;
    {
      std::unique_lock lock(wake_mu_);
      woken = wake_cv_.wait_until(lock, stop, WakeDeadline(timers), [this] { return dirty_; });
      if (stop.stop_requested()) break;
      dirty_ = false;
    }
    const WakeDecision decision = DecideWake(timers, woken, SteadyClock::now());
    if (decision.trim) {
      malloc_trim(0);
      trim_pending = false;
    }
    if (!decision.pass) continue;
    if (decision.full) resync_at = next_resync();
    Pass(decision.full);
    trim_pending = true;
    trim_at = SteadyClock::now() + kSettleBeforeTrim;
  }
}

void NodeAgent::Pass(bool full) {
  const SteadyClock::time_point start = SteadyClock::now();
  const std::vector<kube::Informer<ProfileObject>::Value> objects = profiles_.List();
  const kube::Informer<NodeInfo>::Value node = node_.Get(options_.node);
  static const NodeInfo kNoLabels;
  const NodeInfo& info = node ? *node : kNoLabels;
  if (!node && (full || node_found_)) {
    LogWarn("Node not found: only SecurityProfiles without a nodeSelector apply",
            {{"node", options_.node}});
  }
  node_found_ = node != nullptr;

  // Defaults first, then every selected object with a known type, in name order.
  std::vector<DesiredProfile> desired = defaults_;
  std::vector<bool> selected(objects.size(), false);
  std::map<std::string, std::size_t> outcome_index;  // object name -> index in desired
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const ProfileObject& object = *objects[i];
    if (!SelectsNode(object, info.labels)) continue;
    selected[i] = true;
    // Without a type there is nothing to install; an object may not take the defaults' name
    // (the schema refuses it too). Both are reported Failed in the object's status only.
    if (!object.parsed->kind || object.name == names::kDefaultProfileName) continue;
    outcome_index[object.name] = desired.size();
    desired.push_back({.kind = *object.parsed->kind,
                       .name = object.name,
                       .rendered = object.parsed->rendered,
                       .error = object.parsed->error});
  }
  std::vector<ProfileOutcome> outcomes = sync_.Sync(desired, full, start);
  for (const ProfileRemoval& removal : sync_.removals()) {
    if (removal.error.empty()) {
      LogInfo("profile removed: nothing asks for it on this node any more",
              {{"profile", removal.name}, {"type", profiles::ProfileKindName(removal.kind)}});
    } else {
      LogWarn("removing a profile failed; will retry",
              {{"profile", removal.name},
               {"type", profiles::ProfileKindName(removal.kind)},
               {"error", removal.error}});
    }
  }

  ReportPlan report{.verify = full};
  report.results.reserve(outcomes.size());
  for (const ProfileOutcome& outcome : outcomes) {
    report.results.push_back({.kind = outcome.kind,
                              .name = outcome.name,
                              .state = outcome.state,
                              .message = outcome.message});
  }
  StatusPlan plan{.verify = full};
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const ProfileObject& object = *objects[i];
    ProfilePlan profile{.name = object.name, .uid = object.uid, .cached = object.own_status};
    if (selected[i]) {
      NodeStatusEntry entry{.node = options_.node, .observed_generation = object.generation};
      if (auto it = outcome_index.find(object.name); it != outcome_index.end()) {
        entry.state = outcomes[it->second].state;
        entry.message = TruncateMessage(outcomes[it->second].message);
      } else {
        entry.state = NodeProfileState::kFailed;
        entry.message = TruncateMessage(object.parsed->error);
      }
      profile.desired = std::move(entry);
    }
    plan.profiles.push_back(std::move(profile));
  }

  {
    std::lock_guard lock(metrics_mu_);
    // Log what changed since the previous pass, not every pass.
    std::map<std::pair<profiles::ProfileKind, std::string>, const ProfileOutcome*> before;
    for (const ProfileOutcome& o : last_outcomes_) before[{o.kind, o.name}] = &o;
    for (const ProfileOutcome& o : outcomes) {
      auto it = before.find({o.kind, o.name});
      if (it == before.end() || !(*it->second == o)) LogOutcome(o);
    }
    last_outcomes_ = outcomes;
    sync_stats_ = sync_.stats();
    ++passes_;
    if (full) ++full_passes_;
    last_pass_seconds_ = std::chrono::duration<double>(SteadyClock::now() - start).count();
  }
  reports_.Post(std::move(report));
  statuses_.Post(std::move(plan));
}

Status NodeAgent::WriteReport(const ReportPlan& plan, std::stop_token stop) {
  if (plan.verify) report_written_.reset();
  if (report_written_ && *report_written_ == plan.results) return {};
  Result<bool> report = writer_.WriteNodeReport(plan.results, stop);
  if (!report) {
    if (!stop.stop_requested()) {
      LogWarn("writing the node report failed; will retry",
              {{"report", NodeReportName(options_.node)}, {"error", report.error().message}});
    }
    return report.error();
  }
  report_written_ = plan.results;
  if (*report) LogInfo("node report updated", {{"report", NodeReportName(options_.node)}});
  return {};
}

Status NodeAgent::WriteStatus(const StatusPlan& plan, std::stop_token stop) {
  if (plan.verify) status_written_.clear();
  Status result;
  const auto failed = [&](const Error& error) {
    if (result) result = error;
  };

  std::set<std::string, std::less<>> names;
  for (const ProfilePlan& profile : plan.profiles) {
    names.insert(profile.name);
    if (statuses_.NewerWaiting(plan.sequence)) break;  // the newer plan supersedes this one
    auto memo = status_written_.find(profile.name);
    if (profile.cached == profile.desired) {
      status_written_.insert_or_assign(profile.name, std::pair(profile.uid, profile.desired));
      continue;
    }
    // Written by us already; the informer has not brought the echo yet.
    if (memo != status_written_.end() && memo->second.first == profile.uid &&
        memo->second.second == profile.desired) {
      continue;
    }
    Result<bool> written =
        writer_.WriteProfileStatus(profile.name, profile.uid, profile.desired, stop);
    if (!written) {
      failed(written.error());
      if (stop.stop_requested()) break;
      LogWarn("writing SecurityProfile status failed; will retry",
              {{"profile", profile.name}, {"error", written.error().message}});
      continue;
    }
    status_written_.insert_or_assign(profile.name, std::pair(profile.uid, profile.desired));
  }
  if (names.size() == plan.profiles.size()) {
    std::erase_if(status_written_, [&](const auto& entry) { return !names.contains(entry.first); });
  }

  return result;
}

void NodeAgent::RenderMetrics(serve::MetricsText& out) const {
  std::vector<ProfileOutcome> outcomes;
  SyncStats sync;
  std::uint64_t passes = 0, full_passes = 0;
  double last_pass = 0;
  {
    std::lock_guard lock(metrics_mu_);
    outcomes = last_outcomes_;
    sync = sync_stats_;
    passes = passes_;
    full_passes = full_passes_;
    last_pass = last_pass_seconds_;
  }

  out.Family("csp_agent_ready", "gauge",
             "1 once the first lists are in and every profile was installed once.");
  out.Sample("csp_agent_ready", {}, ready_.load() ? 1 : 0);

  out.Family("csp_agent_profiles", "gauge", "Profiles this node should hold, by type and state.");
  for (profiles::ProfileKind kind :
       {profiles::ProfileKind::kSeccomp, profiles::ProfileKind::kAppArmor}) {
    for (std::string_view state : NodeProfileStateNames()) {
      double count = 0;
      for (const ProfileOutcome& o : outcomes) {
        if (o.kind == kind && NodeProfileStateName(o.state) == state) ++count;
      }
      out.Sample(
          "csp_agent_profiles",
          {{"type", std::string(profiles::ProfileKindName(kind))}, {"state", std::string(state)}},
          count);
    }
  }

  out.Family("csp_agent_profile_installs_total", "counter",
             "Profile installs by outcome: written (file written or profile loaded), unchanged "
             "(already right), failed.");
  out.Sample("csp_agent_profile_installs_total", {{"outcome", "written"}},
             static_cast<double>(sync.written));
  out.Sample("csp_agent_profile_installs_total", {{"outcome", "unchanged"}},
             static_cast<double>(sync.unchanged));
  out.Sample("csp_agent_profile_installs_total", {{"outcome", "failed"}},
             static_cast<double>(sync.failed));
  out.Family("csp_agent_profile_removals_total", "counter", "Profiles removed from the node.");
  out.Sample("csp_agent_profile_removals_total", {}, static_cast<double>(sync.removed));
  out.Family("csp_agent_profile_removal_errors_total", "counter", "Removals that failed.");
  out.Sample("csp_agent_profile_removal_errors_total", {}, static_cast<double>(sync.remove_errors));

  out.Family("csp_agent_passes_total", "counter",
             "Install passes, by kind: full (start-up and resync) or incremental.");
  out.Sample("csp_agent_passes_total", {{"kind", "full"}}, static_cast<double>(full_passes));
  out.Sample("csp_agent_passes_total", {{"kind", "incremental"}},
             static_cast<double>(passes - full_passes));
  out.Family("csp_agent_last_pass_seconds", "gauge", "Duration of the last install pass.");
  out.Sample("csp_agent_last_pass_seconds", {}, last_pass);

  const StatusWriterStats& status = writer_.stats();
  out.Family("csp_agent_status_writes_total", "counter",
             "Writes of the node report and of SecurityProfile status.");
  out.Sample("csp_agent_status_writes_total", {}, static_cast<double>(status.writes.load()));
  out.Family("csp_agent_status_conflicts_total", "counter",
             "Status writes that lost a race with another agent (409) and were retried.");
  out.Sample("csp_agent_status_conflicts_total", {}, static_cast<double>(status.conflicts.load()));
  out.Family("csp_agent_status_errors_total", "counter", "Status writes given up for now.");
  out.Sample("csp_agent_status_errors_total", {}, static_cast<double>(status.errors.load()));
  out.Family("csp_agent_status_in_sync", "gauge",
             "1 when the last status round wrote everything it had to.");
  out.Sample("csp_agent_status_in_sync", {}, reports_.InSync() && statuses_.InSync() ? 1 : 0);

  out.Family("csp_agent_watch_events_total", "counter", "Watch events received, by resource.");
  const kube::InformerStats profile_stats = profiles_.Stats();
  const kube::InformerStats node_stats = node_.Stats();
  out.Sample("csp_agent_watch_events_total",
             {{"resource", std::string(names::kSecurityProfiles.plural)}},
             static_cast<double>(profile_stats.events));
  out.Sample("csp_agent_watch_events_total", {{"resource", "nodes"}},
             static_cast<double>(node_stats.events));
  out.Family("csp_agent_watch_errors_total", "counter", "Failed lists and watches, by resource.");
  out.Sample("csp_agent_watch_errors_total",
             {{"resource", std::string(names::kSecurityProfiles.plural)}},
             static_cast<double>(profile_stats.errors));
  out.Sample("csp_agent_watch_errors_total", {{"resource", "nodes"}},
             static_cast<double>(node_stats.errors));

  out.Family("csp_agent_api_requests_total", "counter",
             "Requests to the API server by verb and HTTP code (0: no response).");
  for (const auto& [key, count] : client_.metrics().Snapshot()) {
    out.Sample("csp_agent_api_requests_total",
               {{"verb", key.first}, {"code", std::to_string(key.second)}},
               static_cast<double>(count));
  }

  const ProcessStats process = ReadProcessStats();
  out.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  out.Sample("process_resident_memory_bytes", {}, static_cast<double>(process.resident_bytes));
  out.Family("process_cpu_seconds_total", "counter", "User and system CPU time in seconds.");
  out.Sample("process_cpu_seconds_total", {}, process.cpu_seconds);
  out.Family("process_threads", "gauge", "Threads of the process.");
  out.Sample("process_threads", {}, static_cast<double>(process.threads));
}

}  // namespace csp::agent
