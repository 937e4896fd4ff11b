#include "csp/agent/status_writer.h"

#include <algorithm>
#include <random>
#include <set>

#include "csp/common/json_fields.h"
#include "csp/common/rfc3339.h"
#include "csp/kube/stoppable_sleep.h"

namespace csp::agent {
namespace {

// Distinct nodes with results in the report.
std::size_t NodesInReport(const nlohmann::json& report) {
  std::set<std::string> nodes;
  if (report.contains("results") && report["results"].is_array()) {
    for (const nlohmann::json& result : report["results"]) {
      if (result.is_object() && result.contains("properties")) {
        nodes.insert(std::string(StringAt(result["properties"], "node")));
      }
    }
  }
  return nodes.size() + 1;
}

std::int64_t UnixSeconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

StatusWriter::StatusWriter(kube::Client& client, StatusWriterOptions options)
    : client_(client),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : kube::SteadyClock()),
      rng_state_(std::random_device{}()) {}

double StatusWriter::Uniform01() {
  if (options_.uniform01) return options_.uniform01();
  std::lock_guard lock(rng_mu_);
  // splitmix64: small state, good enough for jitter.
  std::uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

std::chrono::system_clock::time_point StatusWriter::Now() {
  return options_.now ? options_.now() : std::chrono::system_clock::now();
}

bool StatusWriter::Backoff(int conflicts, std::size_t writers, kube::Clock::Duration attempt_took,
                           std::stop_token stop) {
  using Duration = kube::Clock::Duration;
  // The first window is already as wide as the writers need to take turns (each attempt holds
  // the object for about `attempt_took`), so that a storm of writers spreads out at once
  // instead of colliding through several doublings, each collision costing the API server a
  // decode of the whole object.
  Duration window =
      std::max<Duration>(options_.backoff_base, attempt_took * static_cast<std::int64_t>(writers));
  window = std::min<Duration>(window, options_.backoff_limit);
  for (int i = 1; i < conflicts && window < options_.backoff_limit; ++i) window *= 2;
  window = std::min<Duration>(window, options_.backoff_limit);
  const auto delay = std::chrono::duration_cast<Duration>(window * Uniform01());
  return kube::SleepFor(clock_, delay, stop);
}

Result<bool> StatusWriter::ReadModifyWrite(std::string_view what,
                                           const std::function<Result<Attempt>()>& attempt,
                                           std::stop_token stop) {
  for (int conflicts = 0; conflicts < options_.max_attempts;) {
    const kube::Clock::TimePoint start = clock_.Now();
    Result<Attempt> outcome = attempt();
    const kube::Clock::Duration took = clock_.Now() - start;
    if (!outcome) {
      ++stats_.errors;
      return outcome.error();
    }
    if (outcome->kind == Attempt::kWritten) {
      ++stats_.writes;
      return true;
    }
    if (outcome->kind == Attempt::kUnchanged) return false;
    ++stats_.conflicts;
    ++conflicts;
    if (conflicts < options_.max_attempts && !Backoff(conflicts, outcome->writers, took, stop)) {
      return Error{Code::kAborted, std::string(what) + ": stopped"};
    }
  }
  ++stats_.errors;
  return Error{Code::kAborted, std::string(what) + ": still conflicting after " +
                                   std::to_string(options_.max_attempts) + " attempts"};
}

Result<bool> StatusWriter::WriteNodeReport(const std::vector<NodeProfileResult>& results,
                                           std::stop_token stop) {
  bool wrote = false;
  const std::string own = NodeReportName(options_.node);
  const auto written_in = [&](names::ReportApi api) {
    return std::find(options_.report_apis.begin(), options_.report_apis.end(), api) !=
           options_.report_apis.end();
  };
  for (const names::ReportApiNames& api : names::kReportApis) {
    if (!written_in(api.api)) continue;
    Result<bool> w = WriteNodeReportIn(api.api, own, results, /*create=*/true, stop);
    if (!w) return w.error();
    wrote = wrote || *w;
  }
  // Once per writer, after this node's own report (the operator reads a node's legacy results
  // only while the node has no report of its own, so its facts never lapse in between): this
  // node's report in the APIs not written, and its results in the legacy shared report, go.
  // No other agent writes either, so once gone they stay gone, and a report change costs only
  // the requests of the APIs written.
  if (!others_clean_) {
    for (const names::ReportApiNames& api : names::kReportApis) {
      if (written_in(api.api)) continue;
      Result<bool> w = WriteNodeReportIn(api.api, own, {}, /*create=*/false, stop);
      if (!w) return w.error();
      wrote = wrote || *w;
    }
    for (const names::ReportApiNames& api : names::kReportApis) {
      Result<bool> w = WriteNodeReportIn(api.api, std::string(names::kNodeReportName), {},
                                         /*create=*/false, stop);
      if (!w) return w.error();
      wrote = wrote || *w;
    }
    others_clean_ = true;
  }
  return wrote;
}

Result<bool> StatusWriter::WriteNodeReportIn(names::ReportApi api, const std::string& name,
                                             const std::vector<NodeProfileResult>& results,
                                             bool create, std::stop_token stop) {
  const names::Resource& kind = names::NamesOf(api).cluster_reports;
  const kube::ResourceRef ref = kube::ToResourceRef(kind);
  return ReadModifyWrite(
      std::string(kind.kind) + " " + name,
      [&]() -> Result<Attempt> {
        Result<nlohmann::json> current = client_.Get(ref, "", name);
        Result<nlohmann::json> written = Error{};
        std::size_t writers = 1;
        if (!current) {
          // In an API not written, no report, no CRD or no right to read it (RBAC granting only
          // the API chosen) all leave nothing this agent can remove.
          if (!create && (current.error().code == Code::kNotFound ||
                          current.error().code == Code::kPermissionDenied)) {
            return Attempt{.kind = Attempt::kUnchanged};
          }
          if (current.error().code != Code::kNotFound) return current.error();
          written = client_.Create(
              ref, "", MergeNodeReport(nullptr, options_.node, results, UnixSeconds(Now()), api));
          if (!written && written.error().code == Code::kNotFound) {
            // A create finds no collection only when the kind is not served.
            return Error{Code::kFailedPrecondition,
                         "--report-api " + std::string(names::NamesOf(api).name) + ": the CRD " +
                             std::string(kind.plural) + "." + std::string(kind.group) +
                             " is not installed"};
          }
        } else {
          writers = NodesInReport(*current);
          nlohmann::json merged =
              MergeNodeReport(*current, options_.node, results, UnixSeconds(Now()), api);
          if (merged == *current) return Attempt{.kind = Attempt::kUnchanged};
          if (!create && merged["results"].empty()) {
            // The last node's results leave a report of an API no longer written (or the
            // legacy one): delete it, unless another agent wrote it meanwhile (409: read again).
            Status deleted = client_.Delete(ref, "", name,
                                            {.precondition_resource_version = std::string(StringAt(
                                                 (*current)["metadata"], "resourceVersion"))});
            if (deleted) {
              written = nlohmann::json::object();
            } else if (deleted.error().code == Code::kPermissionDenied) {
              written = client_.Update(ref, "", merged);  // no right to delete: leave it empty
            } else {
              written = deleted.error();
            }
          } else {
            written = client_.Update(ref, "", merged);
          }
        }
        if (written) return Attempt{.kind = Attempt::kWritten};
        const Code code = written.error().code;
        // 409: another agent wrote first; AlreadyExists: another agent created it first;
        // NotFound: deleted between our GET and PUT. All three: read again.
        if (code == Code::kAborted || code == Code::kAlreadyExists || code == Code::kNotFound) {
          return Attempt{.kind = Attempt::kConflict, .writers = writers};
        }
        return written.error();
      },
      stop);
}

Result<bool> StatusWriter::WriteProfileStatus(std::string_view name, std::string_view uid,
                                              const std::optional<NodeStatusEntry>& mine,
                                              std::stop_token stop) {
  return ReadModifyWrite(
      "SecurityProfile " + std::string(name) + " status",
      [&]() -> Result<Attempt> {
        Result<nlohmann::json> current = client_.Get(kSecurityProfiles, "", name);
        if (!current) {
          // Deleted: no status to keep.
          if (current.error().code == Code::kNotFound) return Attempt{.kind = Attempt::kUnchanged};
          return current.error();
        }
        if (!current->contains("metadata") || StringAt((*current)["metadata"], "uid") != uid) {
          // A new object of the same name: the informer brings it, then a new pass.
          return Attempt{.kind = Attempt::kUnchanged};
        }
        const std::size_t writers =
            current->contains("status") ? ParseNodeStatus((*current)["status"]).size() + 1 : 1;
        nlohmann::json merged =
            MergeProfileStatus(*current, options_.node, mine, FormatRfc3339(Now()));
        if (merged == *current) return Attempt{.kind = Attempt::kUnchanged};
        Result<nlohmann::json> written = client_.UpdateStatus(kSecurityProfiles, "", merged);
        if (written) return Attempt{.kind = Attempt::kWritten};
        if (written.error().code == Code::kAborted) {
          return Attempt{.kind = Attempt::kConflict, .writers = writers};
        }
        if (written.error().code == Code::kNotFound) return Attempt{.kind = Attempt::kUnchanged};
        return written.error();
      },
      stop);
}

}  // namespace csp::agent
