// Every replica's half of admission (docs/admission.md): POST /validate, an AdmissionReview
// judged by csp::admission with what the caches hold (policies, the namespace's labels, the
// owners of a controller's Pods) and the node facts. Followers serve it too: admission never
// waits for a leader election.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "csp/manager/caches.h"
#include "csp/manager/image_verification.h"
#include "csp/manager/policy_set.h"
#include "csp/policy/node_facts.h"
#include "csp/serve/histogram.h"
#include "csp/serve/http_server.h"
#include "csp/serve/metrics_text.h"

namespace csp::manager {

struct AdmissionSources {
  const PolicySetHolder& policies;
  Caches& caches;
  std::function<std::shared_ptr<const policy::NodeFacts>()> node_facts;
  std::function<std::chrono::sys_seconds()> now;
  std::function<bool()> ready;  // the caches synced
  // Verifies image signatures (shared with the reconcilers: one cache); null: not checked.
  ImageVerification* image_verification = nullptr;
};

// Thread-safe: the webhook's server threads call Handle at once.
class AdmissionHandler {
 public:
  explicit AdmissionHandler(AdmissionSources sources);

  // 200 with the AdmissionReview response; 400 naming what is wrong with the review; 503 while
  // the caches are not synced (an empty cache would admit everything: the API server applies
  // the webhook's failurePolicy instead).
  // `deferred`: the request came on the deferred path: judge the ValidatingAdmissionPolicy
  // path's policies, else those the webhook judges whole (PolicySet).
  serve::Response Handle(const serve::Request& request, bool deferred = false);

  // csp_admission_reviews_total{verdict} and csp_admission_review_seconds.
  void RenderMetrics(serve::MetricsText& out) const;

 private:
  AdmissionSources sources_;
  std::atomic<std::uint64_t> allowed_{0}, warned_{0}, denied_{0}, invalid_{0}, unready_{0};
  serve::Histogram seconds_{{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}};
};

}  // namespace csp::manager
