#include "test_util.h"

#include <gtest/gtest.h>

namespace csp::controllers::test {

json GoodPodSpec() {
  return json::parse(R"({
    "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [{"name": "app", "image": "nginx:1.27",
                    "securityContext": {"capabilities": {"drop": ["ALL"]}}}]})");
}

json BadPodSpec() {
  json spec = GoodPodSpec();
  spec["containers"][0]["securityContext"]["privileged"] = true;
  return spec;
}

json MakeWorkload(std::string_view kind, std::string_view name, const json& pod_spec,
                  const json& spec_extra, const json& metadata_extra) {
  const std::string k(kind);
  std::string api_version = "apps/v1";
  if (k == "Pod" || k == "ReplicationController") api_version = "v1";
  if (k == "Job" || k == "CronJob") api_version = "batch/v1";
  json object = {{"apiVersion", api_version},
                 {"kind", k},
                 {"metadata",
                  {{"name", std::string(name)},
                   {"namespace", "default"},
                   {"uid", "uid-" + std::string(name)}}}};
  if (metadata_extra.is_object()) object["metadata"].update(metadata_extra);
  json spec = json::object();
  if (k == "Pod") {
    spec = pod_spec;
  } else if (k == "CronJob") {
    spec["jobTemplate"]["spec"]["template"]["spec"] = pod_spec;
  } else {
    spec["template"]["spec"] = pod_spec;
  }
  if (spec_extra.is_object()) spec.update(spec_extra, /*merge_objects=*/true);
  object["spec"] = std::move(spec);
  return object;
}

policy::Policy MakePolicy(std::string_view name, std::string_view spec) {
  json doc = {{"apiVersion", "containersecurity.dev/v1alpha1"},
              {"kind", "ContainerSecurityPolicy"},
              {"metadata",
               {{"name", std::string(name)}, {"uid", "p-" + std::string(name)}, {"generation", 1}}},
              {"spec", json::parse(spec)}};
  Result<policy::Policy> p = policy::ParsePolicy(doc);
  EXPECT_TRUE(p) << p.error().message;
  return p ? *p : policy::Policy{};
}

std::vector<Evaluation> MustEvaluate(const std::deque<policy::Policy>& policies, const json& object,
                                     std::chrono::sys_seconds now) {
  Result<std::optional<policy::Workload>> w = policy::AsWorkload(object, "default");
  EXPECT_TRUE(w && w->has_value()) << object.dump();
  if (!w || !w->has_value()) return {};
  std::vector<Evaluation> out;
  for (const policy::Policy& p : policies) {
    Result<std::vector<Evaluation>> e =
        EvaluateWorkload(std::span(&p, 1), **w, nullptr, {.now = now});
    EXPECT_TRUE(e) << e.error().message;
    if (e) out.insert(out.end(), e->begin(), e->end());
  }
  return out;
}

}  // namespace csp::controllers::test
