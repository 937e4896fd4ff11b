// A JSON Patch applied to a manifest file as the smallest text edit: every byte outside the
// edited lines stays as it was (comments, key order, quoting, other documents), and the result
// is checked by reading it back. What it cannot place it refuses, naming the path and why.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::fix {

// Where a workload is in a file: its document (0-based, counting empty ones) and, for an item
// of a List's `items`, its index there.
struct WorkloadPlace {
  std::size_t document = 0;
  std::optional<std::size_t> item = {};
};

// Applies `patch` (the operations csp::policy::ToJsonPatch emits: add, replace, remove; an
// `add` or `replace` of {} followed by adds below it is placed as one nested block) to the
// workload at `place` of `text`. Block collections are edited by lines at their indentation,
// flow collections in flow style inside their brackets, scalars in their own quoting. Refused,
// with a FailedPrecondition naming the path: anchors and aliases in the workload, block
// scalars, a block entry that does not start its line, JSON files, and any edit whose text
// does not read back (csp::manifest) as exactly the patched document with every other document
// unchanged.
Result<std::string> PatchYaml(std::string_view text, const WorkloadPlace& place,
                              const nlohmann::json& patch);

}  // namespace csp::fix
