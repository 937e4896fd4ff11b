// `docker run` / `podman run` command lines -> a DockerContainer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "csp/docker/docker_container.h"
#include "csp/docker/volume_spec.h"

namespace csp::docker {

// Reads one command: `[NAME=VALUE...] [sudo] docker|podman [GLOBAL FLAGS] [container]
// run|create [FLAGS] IMAGE [ARGS]`, split as a shell would. Flags as the Docker CLI (pflag) takes
// them: `--flag=value`, `--flag value`,
// `-u 0`, `-u0`, boolean short flags combined (`-itd`) with at most one value flag last
// (`-itu 0`, `-itu0`); `--` ends the flags. The container's name is `--name`, else
// `default_name`. Errors name the problem (an unterminated quote, a flag without its value, no
// image, an unknown short flag).
Result<DockerContainer> ParseRunLine(std::string_view line, const std::string& default_name,
                                     const PathContext& paths);

struct RunLine {
  int line = 0;  // 1-based line where the command starts
  std::string text = {};
};

// The commands of a file: one per line, a trailing `\` continues it, blank lines and lines
// starting with `#` are skipped.
std::vector<RunLine> SplitRunLines(std::string_view text);

}  // namespace csp::docker
