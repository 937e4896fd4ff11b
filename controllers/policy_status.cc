#include "csp/controllers/policy_status.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "csp/controllers/validating_admission_policy.h"

namespace csp::controllers {

using json = nlohmann::json;

std::string FormatTime(std::chrono::sys_seconds t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(t - days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

namespace {

// The previous Ready condition, if any.
const json* PreviousReady(const json* status) {
  if (!status || !status->is_object()) return nullptr;
  auto conditions = status->find("conditions");
  if (conditions == status->end() || !conditions->is_array()) return nullptr;
  for (const json& c : *conditions) {
    if (c.is_object() && c.value("type", json()) == "Ready") return &c;
  }
  return nullptr;
}

json ReadyCondition(const StatusInput& in, bool ready, std::string reason, std::string message) {
  const std::string status = ready ? "True" : "False";
  std::string since = FormatTime(in.now);
  if (const json* prev = PreviousReady(in.previous)) {
    auto t = prev->find("lastTransitionTime");
    if (prev->value("status", json()) == status && t != prev->end() && t->is_string()) {
      since = t->get<std::string>();
    }
  }
  return {{"type", "Ready"},
          {"status", status},
          {"reason", std::move(reason)},
          {"message", std::move(message)},
          {"observedGeneration", in.generation},
          {"lastTransitionTime", since}};
}

// "namespace a" or "namespaces a, b and c"; at most kListed names, then how many more.
std::string NamespaceList(std::span<const std::string> names) {
  constexpr std::size_t kListed = 5;
  std::string out = names.size() == 1 ? "namespace " : "namespaces ";
  const std::size_t listed = std::min(names.size(), kListed);
  for (std::size_t i = 0; i < listed; ++i) {
    if (i > 0) out += i + 1 == listed && listed == names.size() ? " and " : ", ";
    out += names[i];
  }
  if (names.size() > listed) out += " and " + std::to_string(names.size() - listed) + " more";
  return out;
}

}  // namespace

void PolicyTally::Add(const Evaluation& e) {
  bool fails = false, skipped_by_exemption = false;
  std::set<std::size_t> used;
  for (const policy::RuleResult& r : e.results) {
    if (r.outcome == policy::Outcome::kFail || r.outcome == policy::Outcome::kError) fails = true;
    if (r.exemption) {
      skipped_by_exemption = true;
      used.insert(*r.exemption);
    }
    ++rule_results[{std::string(r.rule), std::string(policy::OutcomeName(r.outcome))}];
  }
  for (std::size_t i : used) {
    if (i >= exemption_matched.size()) exemption_matched.resize(i + 1, 0);
    ++exemption_matched[i];
  }
  ++total;
  if (fails) {
    ++failing;
  } else if (skipped_by_exemption) {
    ++exempted;
  } else {
    ++passing;
  }
}

void PolicyTally::Merge(const PolicyTally& other) {
  total += other.total;
  passing += other.passing;
  failing += other.failing;
  exempted += other.exempted;
  reverted += other.reverted;
  if (exemption_matched.size() < other.exemption_matched.size()) {
    exemption_matched.resize(other.exemption_matched.size(), 0);
  }
  for (std::size_t i = 0; i < other.exemption_matched.size(); ++i) {
    exemption_matched[i] += other.exemption_matched[i];
  }
  for (const auto& [key, count] : other.rule_results) rule_results[key] += count;
}

json BuildPolicyStatus(const StatusInput& in) {
  json status = {{"observedGeneration", in.generation}};
  if (!in.policy) {
    status["conditions"] = json::array({ReadyCondition(in, false, "InvalidSpec", in.parse_error)});
    return status;
  }
  PolicyTally own;
  if (!in.tally) {
    for (const Evaluation& e : in.evaluations) own.Add(e);
  }
  const PolicyTally& tally = in.tally ? *in.tally : own;
  const std::string evaluated = "evaluated " + std::to_string(tally.total) + " workloads";
  status["conditions"] = json::array({in.failed_namespaces.empty()
                                          ? ReadyCondition(in, true, "Reconciled", evaluated)
                                          : ReadyCondition(in, false, "ReconcileFailed",
                                                           evaluated + "; could not reconcile " +
                                                               NamespaceList(in.failed_namespaces) +
                                                               " (see the operator's log)")});
  status["workloads"] = {{"total", tally.total},
                         {"passing", tally.passing},
                         {"failing", tally.failing},
                         {"exempted", tally.exempted},
                         {"reverted", tally.reverted}};
  json exemptions = json::array();
  for (std::size_t i = 0; i < in.policy->exemptions.size(); ++i) {
    const auto& expires = in.policy->exemptions[i].expires;
    const std::int64_t matched =
        i < tally.exemption_matched.size() ? tally.exemption_matched[i] : 0;
    exemptions.push_back(
        {{"index", i}, {"matched", matched}, {"expired", expires && *expires <= in.now}});
  }
  status["exemptions"] = std::move(exemptions);
  if (json admission = AdmissionStatus(*in.policy); !admission.is_null()) {
    status["admission"] = std::move(admission);
  }
  if (in.policy->pod_security_standard) {
    status["podSecurityStandard"] = {
        {"level", std::string(policy::PssLevelName(*in.policy->pod_security_standard))},
        {"deviations", in.policy->pss_deviations}};
  }
  return status;
}

namespace {

json WithoutTransitionTimes(json status) {
  if (!status.is_object()) return status;
  auto conditions = status.find("conditions");
  if (conditions != status.end() && conditions->is_array()) {
    for (json& c : *conditions) {
      if (c.is_object()) c.erase("lastTransitionTime");
    }
  }
  return status;
}

}  // namespace

bool StatusChanged(const json& current, const json& desired) {
  return WithoutTransitionTimes(current) != WithoutTransitionTimes(desired);
}

}  // namespace csp::controllers
