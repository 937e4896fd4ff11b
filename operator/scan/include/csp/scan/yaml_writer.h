// JSON value -> block-style YAML, as `kubectl get -o yaml` prints it. Strings that a YAML
// parser could read as another type (or that need escapes) are double-quoted.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

namespace csp::scan {

void WriteYaml(const nlohmann::json& value, std::ostream& out);

}  // namespace csp::scan
