// Steady state: with nothing changing, the operator writes nothing. Measured on the API server's
// side, so that no write can hide: kube-apiserver's own apiserver_request_total, summed over the
// write verbs for every resource the operator writes (reports, workloads, Events, policy status;
// Leases excluded, a leader renews them by design), must not move in 60 s of quiet. The metric
// has no label naming the client, so the operator tests run alone (RUN_SERIAL), the test waits
// for other tests' namespaces to finish terminating, and the resourceVersions of everything in
// the test's namespace must not move either.
#include <map>
#include <set>
#include <string>
#include <thread>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kReconcile = 60s;
constexpr auto kQuiet = 60s;  // issue 4: "no write in 60 s with nothing changing"

// group/resource[/subresource] the operator may write.
const std::set<std::string>& WrittenResources() {
  static const std::set<std::string> kResources = {
      "wgpolicyk8s.io/policyreports",
      "apps/deployments",
      "apps/statefulsets",
      "apps/daemonsets",
      "apps/replicasets",
      "batch/cronjobs",
      "batch/jobs",
      "/pods",
      "/replicationcontrollers",
      "/events",
      "events.k8s.io/events",
      "containersecurity.dev/containersecuritypolicies/status",
      "containersecurity.dev/containersecuritypolicies",
  };
  return kResources;
}

// apiserver_request_total for write verbs on WrittenResources(), by "verb group/resource[/sub]".
std::map<std::string, double> ApiserverWrites() {
  CommandResult r = Kubectl({"get", "--raw", "/metrics"});
  EXPECT_EQ(r.exit_code, 0) << r;
  static const std::set<std::string> kWrites = {"POST", "PUT", "PATCH", "DELETE", "APPLY"};
  std::map<std::string, double> writes;
  bool any = false;
  for (const MetricSample& s : ParseMetrics(r.out)) {
    if (s.name != "apiserver_request_total") continue;
    any = true;
    auto label = [&](const char* key) {
      auto it = s.labels.find(key);
      return it == s.labels.end() ? std::string() : it->second;
    };
    if (kWrites.count(label("verb")) == 0) continue;
    std::string resource = label("group") + "/" + label("resource");
    if (!label("subresource").empty()) resource += "/" + label("subresource");
    if (WrittenResources().count(resource) == 0) continue;
    writes[label("verb") + " " + resource] += s.value;
  }
  EXPECT_TRUE(any) << "no apiserver_request_total in kube-apiserver's /metrics";
  return writes;
}

// uid -> resourceVersion of every object the operator might write in ns, and of the policy.
std::map<std::string, std::string> Versions(const std::string& ns, const std::string& policy) {
  std::map<std::string, std::string> versions;
  for (const char* resource :
       {"deployments.apps", "statefulsets.apps", "daemonsets.apps", "replicasets.apps",
        "cronjobs.batch", "jobs.batch", "pods", "events", "policyreports.wgpolicyk8s.io"}) {
    for (const json& item : ListItems(resource, ns)) {
      const json& meta = item.value("metadata", json::object());
      versions[std::string(resource) + " " + meta.value("name", "")] =
          meta.value("resourceVersion", "");
    }
  }
  if (auto p = TryGet("containersecuritypolicies.containersecurity.dev", "", policy)) {
    versions["policy " + policy] = (*p)["metadata"].value("resourceVersion", "");
  }
  return versions;
}

template <typename V>
std::string Diff(const std::map<std::string, V>& before, const std::map<std::string, V>& after) {
  std::ostringstream os;
  std::set<std::string> keys;
  for (const auto& [k, v] : before) keys.insert(k);
  for (const auto& [k, v] : after) keys.insert(k);
  for (const std::string& k : keys) {
    auto b = before.find(k);
    auto a = after.find(k);
    if (b != before.end() && a != after.end() && b->second == a->second) continue;
    os << "  " << k << ": ";
    if (b == before.end()) {
      os << "(none)";
    } else {
      os << b->second;
    }
    os << " -> ";
    if (a == after.end()) {
      os << "(none)";
    } else {
      os << a->second;
    }
    os << "\n";
  }
  return os.str();
}

class OperatorSteadyStateTest : public OperatorTest {};

TEST_F(OperatorSteadyStateTest, NoWriteInSixtySecondsWithNothingChanging) {
  // Every kind, every outcome, every remediation in effect.
  Create(DeploymentObject("violating-deploy", 2, PodSpec(/*privileged=*/true)));
  Create(DeploymentObject("compliant-deploy", 1, PodSpec(/*privileged=*/false)));
  Create(StatefulSetObject("violating-sts", 1, PodSpec(/*privileged=*/true)));
  Create(DaemonSetObject("violating-ds", PodSpec(/*privileged=*/true)));
  Create(CronJobObject("violating-cron", PodSpec(/*privileged=*/true)));
  Create(PodObject("violating-pod", PodSpec(/*privileged=*/true)));
  Create(PodObject("compliant-pod", PodSpec(/*privileged=*/false)));
  OperatorProcess* op = StartOperator();
  const std::string policy = CreatePolicy("steady", PrivilegedOnlyPolicySpec(ns(), "ScaleDown"));
  ASSERT_FALSE(HasFailure());

  // Settled: all seven counted, the five violators out of service, their Pods gone.
  json last;
  ASSERT_TRUE(Eventually(
      [&] {
        auto p = TryGet("containersecuritypolicies.containersecurity.dev", "", policy);
        if (!p) return false;
        last = *p;
        const json w = last.value("status", json::object()).value("workloads", json::object());
        return w.value("total", -1) == 7 && w.value("failing", -1) == 5 &&
               w.value("passing", -1) == 2;
      },
      kReconcile))
      << "policy status never counted 7 workloads, 5 failing: " << last.dump(2);
  for (const auto& [resource, name] :
       std::vector<std::pair<std::string, std::string>>{{"deployments.apps", "violating-deploy"},
                                                        {"statefulsets.apps", "violating-sts"},
                                                        {"daemonsets.apps", "violating-ds"},
                                                        {"cronjobs.batch", "violating-cron"}}) {
    EXPECT_TRUE(WaitObject(
        resource, name, "out of service",
        [](const json& o) { return HasAnnotation(o, kScaledDownFromAnnotation); }, kReconcile));
  }
  EXPECT_TRUE(WaitObject(
      "pods", "violating-pod", "labeled",
      [](const json& o) { return LabelOf(o, kCompliantLabel) == "false"; }, kReconcile));
  for (const char* app : {"violating-deploy", "violating-sts", "violating-ds"}) {
    EXPECT_TRUE(Eventually([&] { return LivePods(ns(), app) == 0; }, 120s)) << app;
  }
  EXPECT_TRUE(Eventually([&] { return LivePods(ns(), "compliant-deploy") == 1; }, 120s));
  ASSERT_FALSE(HasFailure());

  // Quiet cluster: other tests' namespaces done terminating (their deletion writes Pods and
  // Events), then a moment for the controller manager and kwok to settle.
  std::string terminating;
  EXPECT_TRUE(Eventually(
      [&] {
        terminating.clear();
        for (const json& n : KubectlJson({"get", "namespaces"}).value("items", json::array())) {
          if (n.value("status", json::object()).value("phase", "") == "Terminating") {
            terminating += " " + n["metadata"].value("name", "");
          }
        }
        return terminating.empty();
      },
      180s))
      << "namespaces still terminating:" << terminating;
  std::this_thread::sleep_for(10s);

  const auto writes_before = ApiserverWrites();
  const auto versions_before = Versions(ns(), policy);
  // The filter sees the operator's writes at all: it patched workloads and created reports.
  for (const char* key : {"PATCH apps/deployments", "POST wgpolicyk8s.io/policyreports"}) {
    EXPECT_GT(writes_before.count(key) ? writes_before.at(key) : 0, 0)
        << key << " missing from apiserver_request_total; the filter is broken";
  }
  std::this_thread::sleep_for(kQuiet);
  const auto writes_after = ApiserverWrites();
  const auto versions_after = Versions(ns(), policy);

  EXPECT_EQ(writes_before, writes_after)
      << "kube-apiserver counted writes in " << kQuiet.count()
      << " s of quiet (apiserver_request_total, verb group/resource: before -> after):\n"
      << Diff(writes_before, writes_after);
  EXPECT_EQ(versions_before, versions_after)
      << "objects changed in " << kQuiet.count() << " s of quiet (resourceVersion before -> "
      << "after):\n"
      << Diff(versions_before, versions_after);

  // Quiet because there was nothing to do, not because it stopped: it still runs and still acts.
  ASSERT_TRUE(op->Running()) << "the operator exited with code " << op->exit_code().value_or(-1);
  Patch("deployments.apps", "violating-deploy",
        {{"metadata", {{"labels", {{kCompliantLabel, nullptr}}}}}});
  EXPECT_TRUE(WaitObject(
      "deployments.apps", "violating-deploy", "labeled again",
      [](const json& o) { return LabelOf(o, kCompliantLabel) == "false"; }, kReconcile));
}

}  // namespace
}  // namespace csp::e2e
