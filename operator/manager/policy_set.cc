#include "csp/manager/policy_set.h"

#include <algorithm>

#include "csp/controllers/validating_admission_policy.h"

namespace csp::manager {

const policy::Policy* PolicySet::Find(std::string_view name) const {
  auto it =
      std::lower_bound(valid.begin(), valid.end(), name,
                       [](const policy::Policy& p, std::string_view n) { return p.name < n; });
  return it != valid.end() && it->name == name ? &*it : nullptr;
}

std::optional<std::chrono::sys_seconds> PolicySet::NextExpiry(std::chrono::sys_seconds now) const {
  std::optional<std::chrono::sys_seconds> next;
  for (const policy::Policy& p : valid) {
    for (const policy::Exemption& e : p.exemptions) {
      if (e.expires && *e.expires > now && (!next || *e.expires < *next)) next = e.expires;
    }
  }
  return next;
}

PolicySet BuildPolicySet(std::span<const std::shared_ptr<const nlohmann::json>> objects) {
  PolicySet set;
  for (const auto& object : objects) {
    auto parsed = policy::ParsePolicy(*object);
    if (parsed) {
      set.valid.push_back(std::move(*parsed));
      continue;
    }
    std::string name;
    if (auto meta = object->find("metadata"); meta != object->end() && meta->is_object()) {
      name = meta->value("name", "");
    }
    set.invalid.emplace(std::move(name), parsed.error().message);
  }
  std::sort(set.valid.begin(), set.valid.end(),
            [](const policy::Policy& a, const policy::Policy& b) { return a.name < b.name; });
  for (const policy::Policy& p : set.valid) {
    switch (controllers::PlanAdmission(p).route) {
      case controllers::AdmissionRoute::kWebhook:
        set.admission_whole.push_back(p);
        break;
      case controllers::AdmissionRoute::kDeferred:
        set.admission_deferred.push_back(p);
        break;
      case controllers::AdmissionRoute::kNone:
        break;
    }
  }
  return set;
}

std::shared_ptr<const PolicySet> PolicySetHolder::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

void PolicySetHolder::Replace(std::shared_ptr<const PolicySet> next) {
  std::lock_guard lock(mu_);
  current_ = std::move(next);
}

}  // namespace csp::manager
