#include "csp/manager/routes.h"

#include "csp/serve/metrics_text.h"

namespace csp::manager {

serve::Routes HealthAndMetricsRoutes(std::function<bool()> ready,
                                     std::function<std::string()> metrics_text) {
  serve::Routes routes;
  routes["/healthz"].handler = [](const serve::Request&) {
    return serve::Response{.body = "ok\n"};
  };
  routes["/readyz"].handler = [ready = std::move(ready)](const serve::Request&) {
    if (ready()) return serve::Response{.body = "ok\n"};
    return serve::Response{.status = 503, .body = "informer caches not synced\n"};
  };
  routes["/metrics"].handler = [metrics_text = std::move(metrics_text)](const serve::Request&) {
    return serve::Response{.content_type = std::string(serve::kContentType),
                           .body = metrics_text()};
  };
  return routes;
}

}  // namespace csp::manager
