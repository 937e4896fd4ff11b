// Compose files (the Compose specification) -> one DockerContainer per service.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "csp/docker/docker_container.h"
#include "csp/docker/interpolate.h"
#include "csp/docker/volume_spec.h"

namespace csp::docker {

// A document whose top level is a mapping with `services` and no `kind`.
bool IsComposeFile(const nlohmann::json& document);

struct ComposeService {
  DockerContainer container = {};
  int line = 0;  // of the service's key
};

struct ComposeProblem {
  int line = 0;
  std::string message = {};  // names the field: "services.web.privileged: expected ..."
};

struct ComposeFile {
  std::vector<ComposeService> services = {};
  std::vector<ComposeProblem> problems = {};  // each skips its service (or the file) only
};

// Reads every service: privileged, security_opt, cap_add, cap_drop, user, volumes (short and
// long syntax), image, network_mode, pid, ipc; every string interpolated first. `key_lines`
// holds the line of each service's key (csp::manifest::Document::key_lines); a service
// missing there gets `document_line`. `extends` and `include` are reported as unsupported.
ComposeFile ReadCompose(const nlohmann::json& document, int document_line,
                        const std::vector<std::pair<std::string, int>>& key_lines,
                        const Lookup& lookup, const PathContext& paths);

}  // namespace csp::docker
