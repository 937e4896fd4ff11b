// The flags `cspctl scan` and `cspctl fix` share: which policies judge, and the namespace and
// time they judge with.
#pragma once

#include <string>

#include "csp/scan/scan.h"
#include "flag_reader.h"

namespace cspctl {

// -p/--policy, --pod-security-standard, -n/--namespace, --now. Returns false when the current
// flag is not one of them; otherwise true, with `error` set when its value is missing or bad.
bool ParseInputFlag(FlagReader& args, csp::scan::ScanOptions& options, std::string& error);

}  // namespace cspctl
