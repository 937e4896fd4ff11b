#include "csp/policy/node_facts.h"

#include <algorithm>

#include "csp/policy/text.h"

namespace csp::policy {
namespace {

// At most this many node names in a message; reports stay readable on large clusters (the
// result's properties carry them all).
constexpr std::size_t kNamesInMessage = 5;

bool SelectorHolds(const PodSpec& pod, const Labels& labels) {
  for (const auto& [key, value] : pod.node_selector) {
    if (key == names::kQuarantineKey) continue;
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

// "n1, n2, n3, n4, n5 and 2 more"
std::string NodeList(const std::vector<std::string_view>& names) {
  std::string out;
  const std::size_t shown = std::min(names.size(), kNamesInMessage);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
  return out;
}

}  // namespace

std::optional<std::string> ManagedSeccompProfile(std::string_view localhost_profile) {
  std::string path = NormalizePath(localhost_profile);
  if (path.size() <= names::kSeccompReferencePrefix.size() ||
      !path.starts_with(names::kSeccompReferencePrefix)) {
    return std::nullopt;
  }
  return path;
}

std::vector<std::string_view> CandidateNodes(const NodeFacts& facts, const PodSpec& pod) {
  std::vector<std::string_view> out;
  for (const NodeInfo& node : facts.nodes) {
    const bool candidate =
        pod.node_name.empty() ? SelectorHolds(pod, node.labels) : node.name == pod.node_name;
    if (candidate) out.push_back(node.name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string NodeProfileCheck::Seccomp(std::string_view localhost_profile) {
  std::optional<std::string> profile = ManagedSeccompProfile(localhost_profile);
  if (!profile) return "";
  return Check("seccomp", localhost_profile, *profile, facts_.seccomp);
}

std::string NodeProfileCheck::AppArmor(std::string_view profile) {
  if (!facts_.managed_apparmor.contains(profile)) return "";
  return Check("AppArmor", profile, std::string(profile), facts_.apparmor);
}

std::vector<std::string> NodeProfileCheck::MissingNodes() const {
  return {missing_.begin(), missing_.end()};
}

std::string NodeProfileCheck::Check(
    std::string_view what, std::string_view shown, const std::string& profile,
    const std::map<std::string, std::set<std::string>, std::less<>>& installed) {
  if (!candidates_) candidates_ = CandidateNodes(facts_, pod_);
  std::vector<std::string_view> lacking;
  for (std::string_view node : *candidates_) {
    auto it = installed.find(node);
    if (it == installed.end() || !it->second.contains(profile)) lacking.push_back(node);
  }
  if (lacking.empty()) return "";  // also when the pod may run on no node: it cannot start
  missing_.insert(lacking.begin(), lacking.end());
  std::string out = std::string(what) + " profile " + std::string(shown) + " is not installed on ";
  if (candidates_->size() == 1) {
    out += "node " + std::string(lacking.front()) + ", the one node it may run on";
  } else {
    out += std::to_string(lacking.size()) + " of " + std::to_string(candidates_->size()) +
           " nodes it may run on: " + NodeList(lacking);
  }
  return out;
}

}  // namespace csp::policy
