#include "input_flags.h"

#include "csp/policy/text.h"

namespace cspctl {

bool ParseInputFlag(FlagReader& args, csp::scan::ScanOptions& options, std::string& error) {
  const std::string& name = args.name();
  const std::string& value = args.value();
  if (name == "-p" || name == "--policy") {
    if (!args.Take()) error = name + " needs a file";
    options.policy_files.push_back(value);
  } else if (name == "-n" || name == "--namespace") {
    if (!args.Take() || value.empty()) error = name + " needs a namespace";
    options.default_namespace = value;
  } else if (name == "--now") {
    if (!args.Take()) {
      error = "--now needs an RFC 3339 time";
      return true;
    }
    auto t = csp::ParseRfc3339(value);
    if (!t) error = "--now: \"" + value + "\" is not an RFC 3339 time";
    if (t) options.now = *t;
  } else if (name == "--pod-security-standard") {
    if (!args.Take() || (value != "baseline" && value != "restricted")) {
      error = "--pod-security-standard takes baseline or restricted";
    }
    options.pod_security_standard =
        value == "baseline" ? csp::policy::PssLevel::kBaseline : csp::policy::PssLevel::kRestricted;
  } else {
    return false;
  }
  return true;
}

}  // namespace cspctl
