// Shared helpers of the policy tests: a policy around one control's settings, a pod spec
// wrapped in a Pod, and evaluation through the same engine the operator and the scanner use,
// so that each control table covers registration, settings parsing, the check and the message.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "csp/policy/control.h"
#include "csp/policy/engine.h"
#include "csp/policy/eval_context.h"
#include "csp/policy/policy.h"
#include "csp/policy/workload.h"

namespace csp::policy {

// Readable gtest output for outcomes and vectors of them.
inline void PrintTo(Outcome o, std::ostream* os) { *os << OutcomeName(o); }

namespace test {

using nlohmann::json;

// The "current time" every test passes in: the engine reads no clock.
inline std::chrono::sys_seconds Now() {
  using namespace std::chrono;
  return sys_seconds{sys_days{year{2026} / 6 / 1}};
}

// Parses test data; a typo in a table throws, which gtest reports as a failure of that case.
inline json Json(std::string_view text) { return json::parse(text); }

// A minimal valid ContainerSecurityPolicy; `spec` (JSON text) is its spec, "" for none.
inline json PolicyDoc(std::string_view spec = "") {
  json doc = {{"apiVersion", "containersecurity.dev/v1alpha1"},
              {"kind", "ContainerSecurityPolicy"},
              {"metadata", {{"name", "test"}}}};
  if (!spec.empty()) doc["spec"] = Json(spec);
  return doc;
}

// A policy whose spec.controls.<key> is `settings` (JSON text; "" leaves the defaults).
inline json PolicyWithControl(std::string_view key, std::string_view settings) {
  json doc = PolicyDoc();
  if (!settings.empty()) doc["spec"]["controls"][std::string(key)] = Json(settings);
  return doc;
}

// What the Pod Security Standards level ("baseline" or "restricted") asks of control `rule`
// (Control::pss_baseline / pss_restricted): the settings a preset gives it.
inline std::string PssSettings(std::string_view rule, std::string_view level) {
  const Control* control = FindControl(rule);
  if (control == nullptr) return "";
  return std::string(level == "baseline" ? control->pss_baseline : control->pss_restricted);
}

// A Pod named "p" in namespace "ns" with the given spec and metadata.annotations.
inline json PodDoc(std::string_view pod_spec, std::string_view annotations = "") {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}, {"namespace", "ns"}}},
              {"spec", Json(pod_spec)}};
  if (!annotations.empty()) pod["metadata"]["annotations"] = Json(annotations);
  return pod;
}

// What one rule reported.
struct Got {
  Outcome outcome = Outcome::kError;
  std::string message = {};
  std::vector<std::string> containers = {};
  std::vector<std::string> nodes = {};  // nodes lacking a profile (rules 2 and 3)
};

struct RuleInput {
  std::string_view settings = {};     // spec.controls.<key> as JSON; "" = defaults
  std::string_view pod_spec = {};     // the pod spec, JSON
  std::string_view annotations = {};  // the Pod's metadata.annotations, JSON; "" = none
  const ImageSignatures* signatures = nullptr;
  const NodeFacts* node_facts = nullptr;  // null: offline
};

// Looks the control up by rule id (which proves it is registered), parses a policy holding
// `settings` for it, and evaluates a Pod with `pod_spec`. Returns the rule's one result.
inline std::optional<Got> EvaluateRule(std::string_view rule, const RuleInput& in) {
  const Control* control = FindControl(rule);
  if (control == nullptr) {
    ADD_FAILURE() << "control " << rule << " is not registered";
    return std::nullopt;
  }
  Result<Policy> policy = ParsePolicy(PolicyWithControl(control->key, in.settings));
  if (!policy) {
    ADD_FAILURE() << "policy refused: " << policy.error().message;
    return std::nullopt;
  }
  const json pod = PodDoc(in.pod_spec, in.annotations);
  Result<std::optional<Workload>> workload = AsWorkload(pod, "default");
  if (!workload || !workload->has_value()) {
    ADD_FAILURE() << "not a workload: " << (workload ? "ignored" : workload.error().message);
    return std::nullopt;
  }
  const EvalContext context{.now = Now(), .signatures = in.signatures, .node_facts = in.node_facts};
  Result<std::vector<RuleResult>> results = Evaluate(*policy, **workload, context);
  if (!results) {
    ADD_FAILURE() << "evaluation failed: " << results.error().message;
    return std::nullopt;
  }
  std::optional<Got> got;
  for (const RuleResult& r : *results) {
    if (r.rule != control->id) continue;
    if (got) ADD_FAILURE() << "more than one result for " << rule;
    got = Got{
        .outcome = r.outcome, .message = r.message, .containers = r.containers, .nodes = r.nodes};
  }
  if (!got) ADD_FAILURE() << "no result for " << rule;
  return got;
}

// One row of a control's table. `message` holds substrings the result's message must
// contain (the offending container and field for a fail).
struct RuleCase {
  std::string name = {};
  std::string pod = {};
  Outcome want = Outcome::kPass;
  std::vector<std::string> containers = {};
  std::vector<std::string> message = {};
  std::string settings = {};
  std::string annotations = {};
};

inline void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

// Asserts outcome, offending containers (in order) and message substrings. A pass carries
// no message; every other outcome must say why.
inline void ExpectResult(const Got& got, Outcome want, const std::vector<std::string>& containers,
                         const std::vector<std::string>& message) {
  EXPECT_EQ(got.outcome, want) << "message: " << got.message;
  EXPECT_EQ(got.containers, containers) << "message: " << got.message;
  for (const std::string& part : message) {
    EXPECT_NE(got.message.find(part), std::string::npos)
        << "message \"" << got.message << "\" lacks \"" << part << "\"";
  }
  if (want == Outcome::kPass) {
    EXPECT_EQ(got.message, "");
  } else {
    EXPECT_NE(got.message, "");
  }
}

// Every result of a policy that holds `settings` for control `rule` and enables every other
// control but require-image-signature (which needs keys or registries), on `pod`.
inline std::vector<RuleResult> EvaluateAllRules(const Control& control, std::string_view settings,
                                                const json& pod) {
  json doc = PolicyWithControl(control.key, settings);
  for (const Control& other : AllControls()) {
    if (other.id == control.id || other.id == "require-image-signature") continue;
    doc["spec"]["controls"][std::string(other.key)] = {{"enabled", true}};
  }
  Result<Policy> policy = ParsePolicy(doc);
  if (!policy) {
    ADD_FAILURE() << "policy refused: " << policy.error().message;
    return {};
  }
  Result<std::optional<Workload>> workload = AsWorkload(pod, "default");
  if (!workload || !workload->has_value()) {
    ADD_FAILURE() << "not a workload";
    return {};
  }
  Result<std::vector<RuleResult>> results = Evaluate(*policy, **workload, {.now = Now()});
  if (!results) {
    ADD_FAILURE() << "evaluation failed: " << results.error().message;
    return {};
  }
  return std::move(*results);
}

// The fix property (docs/controls.md "Fixes"): a failing result says whether it has a fix
// (properties["fix"]); when it has a patch, applying it to the Pod makes the rule pass and
// changes no other rule's verdict. Other results carry no fix.
inline void ExpectFixHolds(std::string_view rule, const RuleCase& c) {
  const Control* control = FindControl(rule);
  ASSERT_NE(control, nullptr);
  const json pod = PodDoc(c.pod, c.annotations);
  const std::vector<RuleResult> before = EvaluateAllRules(*control, c.settings, pod);
  for (const RuleResult& r : before) {
    if (r.rule != control->id) continue;
    auto fix = r.properties.find("fix");
    if (r.outcome != Outcome::kFail) {
      EXPECT_EQ(fix, r.properties.end()) << "a " << OutcomeName(r.outcome) << " with a fix";
      EXPECT_TRUE(r.patch.is_null());
      return;
    }
    ASSERT_NE(fix, r.properties.end()) << "a fail without properties[\"fix\"]";
    if (fix->second != "patch") {
      EXPECT_EQ(fix->second.rfind("none (", 0), 0u) << fix->second;
      EXPECT_TRUE(r.patch.is_null());
      EXPECT_EQ(r.properties.count("patch"), 0u);
      return;
    }
    ASSERT_TRUE(r.patch.is_array());
    ASSERT_FALSE(r.patch.empty());
    EXPECT_EQ(r.properties.at("patch"), r.patch.dump());
    json patched;
    try {
      patched = pod.patch(r.patch);
    } catch (const std::exception& e) {
      FAIL() << "patch " << r.patch.dump() << " does not apply: " << e.what();
    }
    const std::vector<RuleResult> after = EvaluateAllRules(*control, c.settings, patched);
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
      if (after[i].rule == control->id) {
        EXPECT_EQ(after[i].outcome, Outcome::kPass)
            << "patch " << r.patch.dump() << " leaves: " << after[i].message;
      } else {
        EXPECT_EQ(after[i].outcome, before[i].outcome)
            << after[i].rule << " changed by patch " << r.patch.dump() << ": " << after[i].message;
      }
    }
    return;
  }
  ADD_FAILURE() << "no result for " << rule;
}

// Runs one RuleCase of `rule`, and checks the fix property on it.
inline void RunRuleCase(std::string_view rule, const RuleCase& c) {
  std::optional<Got> got =
      EvaluateRule(rule, {.settings = c.settings, .pod_spec = c.pod, .annotations = c.annotations});
  ASSERT_TRUE(got.has_value());
  ExpectResult(*got, c.want, c.containers, c.message);
  ExpectFixHolds(rule, c);
}

}  // namespace test
}  // namespace csp::policy
