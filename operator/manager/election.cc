#include "csp/manager/election.h"

#include "csp/log/log.h"

namespace csp::manager {

Status Election::Start(kube::Client& lease_client, const Options& options,
                       std::function<void()> started, std::function<void()> stopped) {
  kube::LeaderElectionConfig config{
      .lease_namespace = options.lease_namespace,
      .lease_name = options.lease_name,
      .identity = options.identity,
      .lease_duration = std::chrono::seconds(options.lease_duration),
      .renew_deadline = std::chrono::seconds(options.renew_deadline),
      .retry_period = std::chrono::seconds(options.retry_period),
  };
  config.on_started_leading = [identity = options.identity, started = std::move(started)] {
    LogInfo("started leading", {{"identity", identity}});
    started();
  };
  config.on_stopped_leading = std::move(stopped);
  config.on_new_leader = [self = options.identity](const std::string& identity) {
    LogInfo("leader is", {{"identity", identity}, {"self", self}});
  };
  config.on_error = [](const Error& e) {
    LogWarn("leader election: lease request failed", {{"error", e.message}});
  };
  auto elector = kube::LeaderElector::Create(lease_client, std::move(config));
  if (!elector) return elector.error();
  elector_ = std::move(*elector);
  thread_ = std::jthread([this] { elector_->Run(stop_.get_token()); });
  return {};
}

void Election::Stop() {
  stop_.request_stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace csp::manager
