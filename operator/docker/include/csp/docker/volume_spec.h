// Docker's mount spellings: `-v`/short Compose syntax and `--mount`'s comma-separated form.
#pragma once

#include <string>
#include <string_view>

#include "csp/common/result.h"
#include "csp/docker/docker_container.h"

namespace csp::docker {

// Where relative bind sources resolve: a Compose file's folder (empty: left relative, which
// rule 7 reports) and `~`'s HOME (empty: `~` is left as written).
struct PathContext {
  std::string base_dir = {};
  std::string home = {};
};

// A bind source as the daemon will see it: `~` and relative paths resolved, lexically
// normalized; an absolute path unchanged.
std::string ResolveHostPath(std::string_view source, const PathContext& paths);

// `[SOURCE:]TARGET[:MODE]`. A SOURCE starting with `/`, `.` or `~` is a bind mount, any other a
// named volume; no SOURCE is an anonymous volume. MODE is a comma list; `ro` makes it read-only.
Result<Mount> ParseShortVolume(std::string_view spec, const PathContext& paths);

// `type=bind,source=/x,target=/y,readonly` (`src`, `dst`/`destination`, `ro`; `readonly=false`).
// The type defaults to volume.
Result<Mount> ParseMountFlag(std::string_view spec, const PathContext& paths);

}  // namespace csp::docker
