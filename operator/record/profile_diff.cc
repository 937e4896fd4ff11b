#include "csp/record/profile_diff.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace csp::record {
namespace {

constexpr std::string_view kAllow = "SCMP_ACT_ALLOW";
constexpr std::size_t kColumns = 100;

void Section(std::ostringstream& out, std::string_view title,
             const std::vector<std::string>& names) {
  if (names.empty()) return;
  out << title << " (" << names.size() << "):\n";
  std::string line = " ";
  for (const std::string& name : names) {
    if (line.size() + name.size() + 1 > kColumns) {
      out << line << "\n";
      line = " ";
    }
    line += " " + name;
  }
  out << line << "\n";
}

}  // namespace

Verdict VerdictFor(const profiles::SeccompProfile& profile, const std::string& name) {
  for (const profiles::SeccompRule& rule : profile.syscalls) {
    if (std::find(rule.names.begin(), rule.names.end(), name) == rule.names.end()) continue;
    if (rule.action != kAllow) return Verdict::kBlocked;
    return rule.args.empty() ? Verdict::kAllowed : Verdict::kConditional;
  }
  return profile.default_action == kAllow ? Verdict::kAllowed : Verdict::kBlocked;
}

SeccompDiff DiffProfiles(const profiles::SeccompProfile& recorded,
                         const profiles::SeccompProfile& baseline) {
  std::set<std::string> names;
  for (const auto* profile : {&recorded, &baseline}) {
    for (const profiles::SeccompRule& rule : profile->syscalls) {
      names.insert(rule.names.begin(), rule.names.end());
    }
  }
  SeccompDiff diff;
  for (const std::string& name : names) {
    const Verdict mine = VerdictFor(recorded, name);
    const Verdict theirs = VerdictFor(baseline, name);
    if (mine != Verdict::kBlocked && theirs == Verdict::kBlocked) {
      diff.blocked_by_baseline.push_back(name);
    } else if (mine == Verdict::kAllowed && theirs == Verdict::kConditional) {
      diff.conditional_in_baseline.push_back(name);
    } else if (mine == Verdict::kBlocked && theirs != Verdict::kBlocked) {
      diff.blocked_by_recording.push_back(name);
    }
  }
  return diff;
}

std::string FormatDiff(const SeccompDiff& diff, std::string_view baseline) {
  std::ostringstream out;
  const std::string b(baseline);
  Section(out, "allowed by the recording, blocked by " + b, diff.blocked_by_baseline);
  Section(out, "allowed by the recording, allowed by " + b + " only for some arguments",
          diff.conditional_in_baseline);
  Section(out, "allowed by " + b + ", blocked by the recording", diff.blocked_by_recording);
  if (out.str().empty()) out << "the recording allows what " << b << " allows\n";
  return out.str();
}

}  // namespace csp::record
