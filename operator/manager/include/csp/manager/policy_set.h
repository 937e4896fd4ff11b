// The policies in force: every cached ContainerSecurityPolicy parsed once per change, shared
// read-only by the workers (a reconcile holds the set it started with, so results never point
// into a policy that was replaced meanwhile).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "csp/policy/policy.h"

namespace csp::manager {

struct PolicySet {
  std::vector<policy::Policy> valid = {};  // sorted by name
  // Policies whose spec does not parse: name -> the parser's message. Their reports are kept
  // until they are fixed.
  std::map<std::string, std::string, std::less<>> invalid = {};
  // The admission policies by webhook path (controllers::PlanAdmission), worked out once per
  // change: those the webhook judges whole (/validate) and those of the ValidatingAdmissionPolicy
  // path, which it judges only for the objects their VAPs defer (/validate-deferred).
  std::vector<policy::Policy> admission_whole = {};
  std::vector<policy::Policy> admission_deferred = {};

  const policy::Policy* Find(std::string_view name) const;
  // The earliest exemption expiry after `now`, if any.
  std::optional<std::chrono::sys_seconds> NextExpiry(std::chrono::sys_seconds now) const;
};

// Parses every object (whole ContainerSecurityPolicy JSON).
PolicySet BuildPolicySet(std::span<const std::shared_ptr<const nlohmann::json>> objects);

// Thread-safe holder of the current set.
class PolicySetHolder {
 public:
  std::shared_ptr<const PolicySet> Current() const;
  void Replace(std::shared_ptr<const PolicySet> next);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const PolicySet> current_ = std::make_shared<const PolicySet>();
};

}  // namespace csp::manager
