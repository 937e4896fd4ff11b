#include "csp/kube/leader_election.h"

#include <utility>

#include "csp/common/rfc3339.h"
#include "csp/kube/resource_ref.h"
#include "csp/kube/stoppable_sleep.h"

namespace csp::kube {
namespace {

const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", true};

// client-go's JitterFactor: the renew deadline must leave room for a jittered retry period.
constexpr double kJitterFactor = 1.2;

}  // namespace

Result<std::unique_ptr<LeaderElector>> LeaderElector::Create(Client& client,
                                                             LeaderElectionConfig config) {
  const auto fail = [](const std::string& message) {
    return InvalidArgument("leader election: " + message);
  };
  if (config.identity.empty()) return fail("identity is empty");
  if (config.lease_name.empty()) return fail("lease name is empty");
  if (config.lease_namespace.empty()) return fail("lease namespace is empty");
  if (config.retry_period <= std::chrono::milliseconds::zero()) {
    return fail("retry period must be positive");
  }
  if (config.renew_deadline.count() <= kJitterFactor * config.retry_period.count()) {
    return fail("renew deadline (" + std::to_string(config.renew_deadline.count()) +
                " ms) must exceed 1.2 * retry period (" +
                std::to_string(config.retry_period.count()) + " ms)");
  }
  if (config.lease_duration <= config.renew_deadline) {
    return fail("lease duration (" + std::to_string(config.lease_duration.count()) +
                " s) must exceed the renew deadline (" +
                std::to_string(config.renew_deadline.count()) + " ms)");
  }
  return std::unique_ptr<LeaderElector>(new LeaderElector(client, std::move(config)));
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config)
    : client_(client),
      config_(std::move(config)),
      clock_(config_.clock != nullptr ? *config_.clock : SteadyClock()) {}

std::string LeaderElector::Now() const {
  return FormatRfc3339Micros(config_.wall_clock ? config_.wall_clock()
                                                : std::chrono::system_clock::now());
}

void LeaderElector::ReportError(const Error& error) {
  if (config_.on_error) config_.on_error(error);
}

std::string LeaderElector::ObservedLeader() const {
  std::lock_guard lock(op_mu_);
  return observed_record_.holder_identity;
}

void LeaderElector::Observe(const nlohmann::json& lease, Clock::TimePoint now) {
  observed_lease_ = lease;
  nlohmann::json spec = lease.contains("spec") ? lease.at("spec") : nlohmann::json::object();
  if (spec == observed_spec_) return;
  // Expiry counts from when the record changed as seen here, never from its renewTime.
  observed_spec_ = std::move(spec);
  observed_time_ = now;
  const std::string previous = observed_record_.holder_identity;
  observed_record_ = LeaseRecordFromLease(lease);
  if (!observed_record_.holder_identity.empty() && observed_record_.holder_identity != previous) {
    new_leader_ = observed_record_.holder_identity;
  }
}

bool LeaderElector::TryAcquireOrRenew() {
  std::string new_leader;
  bool held = false;
  {
    std::lock_guard lock(op_mu_);
    held = TryAcquireOrRenewLocked();
    new_leader = std::exchange(new_leader_, "");
  }
  if (!new_leader.empty() && config_.on_new_leader) config_.on_new_leader(new_leader);
  return held;
}

bool LeaderElector::TryAcquireOrRenewLocked() {
  const std::string& ns = config_.lease_namespace;
  auto got = client_.Get(kLeases, ns, config_.lease_name);
  if (!got) {
    if (got.error().code != Code::kNotFound) {
      ReportError(got.error());
      return false;
    }
    const std::string now = Now();
    const LeaseRecord record{.holder_identity = config_.identity,
                             .lease_duration_seconds = config_.lease_duration.count(),
                             .acquire_time = now,
                             .renew_time = now};
    auto created = client_.Create(kLeases, ns,
                                  {{"apiVersion", "coordination.k8s.io/v1"},
                                   {"kind", "Lease"},
                                   {"metadata", {{"name", config_.lease_name}, {"namespace", ns}}},
                                   {"spec", LeaseSpec(record)}});
    if (!created) {
      ReportError(created.error());  // kAlreadyExists: another candidate was faster
      return false;
    }
    Observe(*created, clock_.Now());
    return true;
  }

  if (!got->is_object()) {
    ReportError(Internal("GET Lease " + ns + "/" + config_.lease_name + ": not an object"));
    return false;
  }
  Observe(*got, clock_.Now());
  const LeaseRecord old = observed_record_;
  const bool ours = old.holder_identity == config_.identity;
  if (!old.holder_identity.empty() && !ours) {
    const std::chrono::seconds duration = old.lease_duration_seconds > 0
                                              ? std::chrono::seconds(old.lease_duration_seconds)
                                              : config_.lease_duration;
    if (observed_time_ + duration > clock_.Now()) return false;  // held, not expired
  }

  const std::string now = Now();
  const LeaseRecord record{
      .holder_identity = config_.identity,
      .lease_duration_seconds = config_.lease_duration.count(),
      .acquire_time = ours && !old.acquire_time.empty() ? old.acquire_time : now,
      .renew_time = now,
      .lease_transitions = ours ? old.lease_transitions : old.lease_transitions + 1};
  nlohmann::json lease = *got;  // keeps metadata.resourceVersion: a stale one is a 409
  lease["spec"] = LeaseSpec(record);
  auto updated = client_.Update(kLeases, ns, lease);
  if (!updated) {
    ReportError(updated.error());
    return false;
  }
  Observe(*updated, clock_.Now());
  return true;
}

Status LeaderElector::Release() {
  std::lock_guard lock(op_mu_);
  if (!observed_lease_.is_object() || observed_record_.holder_identity != config_.identity) {
    return {};
  }
  const std::string now = Now();
  const LeaseRecord record{.holder_identity = "",
                           .lease_duration_seconds = 1,
                           .acquire_time = now,
                           .renew_time = now,
                           .lease_transitions = observed_record_.lease_transitions};
  nlohmann::json lease = observed_lease_;
  lease["spec"] = LeaseSpec(record);
  auto updated = client_.Update(kLeases, config_.lease_namespace, lease);
  if (!updated) {
    ReportError(updated.error());
    return updated.error();
  }
  Observe(*updated, clock_.Now());
  return {};
}

void LeaderElector::Run(std::stop_token stop) {
  bool acquired = false;
  while (!stop.stop_requested()) {
    if (TryAcquireOrRenew()) {
      acquired = true;
      break;
    }
    SleepFor(clock_, config_.retry_period, stop);
  }
  if (!acquired) return;

  leading_ = true;
  if (config_.on_started_leading) config_.on_started_leading();
  Clock::TimePoint last_renew = clock_.Now();
  while (SleepFor(clock_, config_.retry_period, stop)) {
    if (TryAcquireOrRenew()) {
      last_renew = clock_.Now();
      continue;
    }
    const std::string holder = ObservedLeader();
    if (!holder.empty() && holder != config_.identity) break;  // taken over
    if (clock_.Now() - last_renew >= config_.renew_deadline) break;
  }
  leading_ = false;
  if (stop.stop_requested() && config_.release_on_stop) (void)Release();
  if (config_.on_stopped_leading) config_.on_stopped_leading();
}

}  // namespace csp::kube
