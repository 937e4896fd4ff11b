#include "csp/manager/admission_handler.h"

#include <deque>

#include "csp/admission/judge.h"
#include "csp/admission/response.h"
#include "csp/admission/review.h"
#include "csp/controllers/owner_resolution.h"

namespace csp::manager {

AdmissionHandler::AdmissionHandler(AdmissionSources sources) : sources_(std::move(sources)) {}

serve::Response AdmissionHandler::Handle(const serve::Request& request, bool deferred) {
  const auto start = std::chrono::steady_clock::now();
  if (!sources_.ready()) {
    ++unready_;
    return {.status = 503, .body = "informer caches not synced\n"};
  }
  auto review = admission::ParseReview(request.body);
  if (!review) {
    ++invalid_;
    return {.status = 400, .body = review.error().message + "\n"};
  }
  const auto policies = sources_.policies.Current();
  const auto ns_labels = sources_.caches.namespaces.Get(review->ns);
  const auto node_facts = sources_.node_facts();
  // The owners found, unpacked, stay alive while the judgement reads them (a deque never moves
  // what it holds).
  std::deque<nlohmann::json> held;
  const controllers::OwnerLookup owners = [&](const controllers::OwnerReference& owner,
                                              std::string_view ns) -> const nlohmann::json* {
    auto* informer = sources_.caches.Workloads(policy::ApiGroup(owner.api_version), owner.kind);
    if (informer == nullptr) return nullptr;
    auto value = informer->Get(std::string(ns) + "/" + owner.name);
    if (!value || value->object.IsNull()) return nullptr;
    return &held.emplace_back(value->object.Unpack());
  };
  WorkloadSignatures signatures(sources_.image_verification);
  const admission::Verdict verdict = admission::Judge(
      *review, deferred ? policies->admission_deferred : policies->admission_whole, ns_labels.get(),
      owners, {.now = sources_.now(), .node_facts = node_facts.get()},
      [&signatures](const policy::Policy& p, const policy::Workload& w) {
        return signatures.For(p, w);
      });
  ++(!verdict.allowed ? denied_ : !verdict.warnings.empty() ? warned_ : allowed_);
  serve::Response response{.content_type = "application/json",
                           .body = admission::RenderResponse(review->uid, verdict)};
  seconds_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return response;
}

void AdmissionHandler::RenderMetrics(serve::MetricsText& out) const {
  constexpr std::string_view kReviews = "csp_admission_reviews_total";
  out.Family(kReviews, "counter",
             "AdmissionReviews answered, by verdict (invalid: 400; unready: 503 before the caches "
             "synced)");
  out.Sample(kReviews, {{"verdict", "allowed"}}, static_cast<double>(allowed_.load()));
  out.Sample(kReviews, {{"verdict", "warned"}}, static_cast<double>(warned_.load()));
  out.Sample(kReviews, {{"verdict", "denied"}}, static_cast<double>(denied_.load()));
  out.Sample(kReviews, {{"verdict", "invalid"}}, static_cast<double>(invalid_.load()));
  out.Sample(kReviews, {{"verdict", "unready"}}, static_cast<double>(unready_.load()));
  constexpr std::string_view kSeconds = "csp_admission_review_seconds";
  out.Family(kSeconds, "histogram", "Time to judge one AdmissionReview (parse, judge, render)");
  seconds_.Render(out, kSeconds);
}

}  // namespace csp::manager
