// What a pod spec cannot say about a Docker container, applied to the engine's results.
#pragma once

#include <vector>

#include "csp/docker/docker_container.h"
#include "csp/policy/engine.h"

namespace csp::docker {

// The rules no Docker input is read for (host ports, host process, probes) become
// `skip`, saying so, unless already skipped; rule 5's failure for an unset user says that the
// image's USER, which decides, is unknown offline.
void AdjustResults(const DockerContainer& container, std::vector<policy::RuleResult>& results);

}  // namespace csp::docker
