// The manager's HTTP endpoints: /healthz (serving), /readyz (caches synced), /metrics.
#pragma once

#include <functional>
#include <string>

#include "csp/serve/http_server.h"

namespace csp::manager {

serve::Routes HealthAndMetricsRoutes(std::function<bool()> ready,
                                     std::function<std::string()> metrics_text);

}  // namespace csp::manager
