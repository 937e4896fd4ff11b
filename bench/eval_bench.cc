// Evaluation alone, on parsed objects: how many workloads per second one core judges against
// the default policy once the manifests are JSON documents (reading is measured apart).
//   bench/eval_bench FILE [ROUNDS]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "csp/controllers/compact_workload.h"
#include "csp/manifest/manifest_reader.h"
#include "csp/manifest/sources.h"
#include "csp/policy/engine.h"
#include "csp/policy/pod_spec_parser.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS.yaml [ROUNDS]\n", argv[0]);
    return 2;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  auto text = csp::manifest::ReadFile(argv[1]);
  if (!text) {
    std::fprintf(stderr, "%s\n", text.error().message.c_str());
    return 2;
  }
  std::vector<nlohmann::json> documents;
  csp::manifest::ParseManifests(
      *text, argv[1], csp::manifest::Limits{},
      [&](csp::manifest::Document&& d) { documents.push_back(std::move(d.value)); },
      [](csp::manifest::ReadError&& e) { std::fprintf(stderr, "%s\n", e.ToString().c_str()); });
  std::vector<csp::policy::Workload> workloads;
  for (const nlohmann::json& d : documents) {
    auto w = csp::policy::AsWorkload(d, "default");
    if (w && w->has_value()) workloads.push_back(**w);
  }
  const csp::policy::Policy policy = csp::policy::DefaultPolicy();
  const csp::policy::EvalContext context{};
  std::size_t results = 0, fails = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const csp::policy::Workload& w : workloads) {
      auto out = csp::policy::Evaluate(policy, w, context);
      if (!out) continue;
      results += out->size();
      for (const auto& rr : *out) fails += rr.outcome == csp::policy::Outcome::kFail;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double evaluated = static_cast<double>(workloads.size()) * rounds;
  std::printf("workloads: %zu, rounds: %d, results: %zu (%zu fail)\n", workloads.size(), rounds,
              results, fails);
  std::printf(
      "Evaluate (JSON pod spec -> typed PodSpec -> every control): %.3f s, %.0f workloads/s, "
      "%.2f us/workload (one core)\n",
      seconds, evaluated / seconds, seconds / evaluated * 1e6);

  // The operator's path: its caches hold compact values (controllers::CompactWorkload), and
  // Evaluate runs on those.
  std::vector<nlohmann::json> compact;
  compact.reserve(workloads.size());
  for (const csp::policy::Workload& w : workloads) {
    compact.push_back(csp::controllers::CompactWorkload(*w.object));
  }
  std::vector<csp::policy::Workload> compact_workloads;
  for (const nlohmann::json& d : compact) {
    auto w = csp::policy::AsWorkload(d, "default");
    if (w && w->has_value()) compact_workloads.push_back(**w);
  }
  std::size_t compact_results = 0;
  const auto start1 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const csp::policy::Workload& w : compact_workloads) {
      auto out = csp::policy::Evaluate(policy, w, context);
      if (out) compact_results += out->size();
    }
  }
  const double seconds1 =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start1).count();
  const double evaluated1 = static_cast<double>(compact_workloads.size()) * rounds;
  std::printf(
      "Evaluate on the operator's compact cache values: %.3f s, %.0f workloads/s, "
      "%.2f us/workload (%zu results)\n",
      seconds1, evaluated1 / seconds1, seconds1 / evaluated1 * 1e6, compact_results);

  // The controls alone, on pod specs already in the typed model.
  std::vector<csp::policy::PodSpec> pods;
  for (const csp::policy::Workload& w : workloads) {
    auto pod = csp::policy::ParsePodSpec(*w.pod_spec, w.pod_spec_path, w.annotations);
    if (pod) pods.push_back(std::move(*pod));
  }
  std::size_t control_fails = 0;
  const auto start2 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const csp::policy::PodSpec& pod : pods) {
      for (const csp::policy::ControlConfig& c : policy.controls) {
        if (!c.enabled) continue;
        control_fails +=
            c.control->check(pod, *c.settings, context).outcome == csp::policy::Outcome::kFail;
      }
    }
  }
  const double seconds2 =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start2).count();
  const double checked = static_cast<double>(pods.size()) * rounds;
  std::printf(
      "controls alone (typed PodSpec -> every control): %.3f s, %.0f workloads/s, "
      "%.2f us/workload (%zu fail)\n",
      seconds2, checked / seconds2, seconds2 / checked * 1e6, control_fails);
  return 0;
}
