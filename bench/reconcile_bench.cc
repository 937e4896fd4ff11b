// One namespace pass under churn (issue 17, "Latency under churn"): ReconcileNamespace on a
// namespace laid out as bench/operator_bench.py makes it (100 Deployments, 2 StatefulSets,
// 2 DaemonSets, 2 CronJobs; one in four violating; the policy `bench`: every default control),
// passes repeated with one workload changed between them. Prints CPU ms and allocations per pass.
// The caches are listed once from the in-memory API server of the unit tests; a change goes
// into the write overlay, as our own patch would, so no watch is needed.
//   bench/reconcile_bench [PASSES] [WORKLOADS_PER_NAMESPACE] [annotations|verdicts]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <stop_token>

#include "csp/log/log.h"
#include "csp/manager/reconcilers.h"
#include "csp/manager/resources.h"
#include "fake_api_server.h"

namespace {

std::atomic<std::uint64_t> allocations{0};

}  // namespace

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using json = nlohmann::json;
using namespace csp;
using namespace csp::manager;
using namespace std::chrono_literals;

constexpr char kNs[] = "bench-000";
const char* const kViolations[] = {"privileged", "root", "capability", "no-seccomp", "docker-sock"};

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

// bench/operator_bench.py pod_spec.
json PodSpec(const std::string& violation) {
  json pod_security = {{"runAsNonRoot", true},
                       {"runAsUser", 1000},
                       {"seccompProfile", {{"type", "RuntimeDefault"}}}};
  json container_security = {{"allowPrivilegeEscalation", false},
                             {"capabilities", {{"drop", {"ALL"}}}}};
  json spec = {{"terminationGracePeriodSeconds", 0}};
  json container = {{"name", "app"}, {"image", "registry.k8s.io/pause:3.10"}};
  if (violation == "privileged") {
    container_security["privileged"] = true;
    container_security["allowPrivilegeEscalation"] = true;
  } else if (violation == "root") {
    pod_security.erase("runAsNonRoot");
    pod_security["runAsUser"] = 0;
  } else if (violation == "capability") {
    container_security["capabilities"]["add"] = {"SYS_ADMIN"};
  } else if (violation == "no-seccomp") {
    pod_security.erase("seccompProfile");
  } else if (violation == "docker-sock") {
    spec["volumes"] = {{{"name", "docker"}, {"hostPath", {{"path", "/var/run/docker.sock"}}}}};
    container["volumeMounts"] = {{{"name", "docker"}, {"mountPath", "/docker.sock"}}};
  }
  container["securityContext"] = container_security;
  spec["securityContext"] = pod_security;
  spec["containers"] = {container};
  return spec;
}

struct Made {
  const WorkloadResource* resource;
  json object;
};

// bench/operator_bench.py workload, j-th of the namespace.
Made Workload(const std::string& kind, int j) {
  const bool bad = j % 4 == 3;
  const std::string name = std::string(kind == "Deployment"    ? ""
                                       : kind == "StatefulSet" ? "sts-"
                                       : kind == "DaemonSet"   ? "ds-"
                                                               : "cj-") +
                           (bad ? "bad-" : "ok-") + std::to_string(j);
  json tmpl = {{"metadata", {{"labels", {{"app", name}}}}},
               {"spec", PodSpec(bad ? kViolations[(j / 4) % 5] : "")}};
  json spec = {{"selector", {{"matchLabels", {{"app", name}}}}}, {"template", tmpl}};
  std::string api = "apps/v1", group = "apps";
  if (kind == "Deployment") {
    spec["replicas"] = 5;
  } else if (kind == "StatefulSet") {
    spec["replicas"] = 2;
    spec["serviceName"] = name;
  } else if (kind == "DaemonSet") {
    spec["template"]["spec"]["nodeSelector"] = {{"kubernetes.io/hostname", "kwok-node-1"}};
  } else {
    api = "batch/v1";
    group = "batch";
    tmpl["spec"]["restartPolicy"] = "Never";
    spec = {{"schedule", "0 0 1 1 *"},
            {"suspend", true},
            {"jobTemplate", {{"spec", {{"template", tmpl}}}}}};
  }
  return {FindWorkloadResource(group, kind),
          {{"apiVersion", api},
           {"kind", kind},
           {"metadata",
            {{"name", name},
             {"namespace", kNs},
             {"uid", "uid-" + name},
             {"labels", {{"app", name}, {"bench", "true"}}}}},
           {"spec", spec}}};
}

}  // namespace

int main(int argc, char** argv) {
  const int passes = argc > 1 ? std::atoi(argv[1]) : 200;
  const int deployments = (argc > 2 ? std::atoi(argv[2]) : 106) - 6;
  (void)SetUpLogging("text", "warn", "reconcile_bench");
  auto transport = std::make_unique<test::FakeApiServer>();
  test::FakeApiServer& server = *transport;
  kube::Client client(std::move(transport), kube::RestConfig{.server = "https://fake"},
                      kube::ClientOptions{.qps = 0});
  server.Put(kNamespaces.ObjectPath("", kNs),
             {{"apiVersion", "v1"},
              {"kind", "Namespace"},
              {"metadata", {{"name", kNs}, {"labels", {{"bench", "true"}}}}}});
  server.Put(kPolicies.ObjectPath("", "bench"),
             {{"apiVersion", "containersecurity.dev/v1alpha1"},
              {"kind", "ContainerSecurityPolicy"},
              {"metadata", {{"name", "bench"}, {"generation", 1}}},
              {"spec", {{"match", json::object()}, {"action", "Label"}}}});
  std::vector<Made> workloads;
  int j = 0;
  for (const auto& [kind, count] : std::vector<std::pair<std::string, int>>{
           {"Deployment", deployments}, {"StatefulSet", 2}, {"DaemonSet", 2}, {"CronJob", 2}}) {
    for (int k = 0; k < count; ++k) workloads.push_back(Workload(kind, j++));
  }
  for (const Made& w : workloads) {
    server.Put(w.resource->ref.ObjectPath(kNs, w.object["metadata"]["name"].get<std::string>()),
               w.object);
  }

  Caches caches(client, [](std::string_view resource, const Error& e) {
    std::fprintf(stderr, "%.*s: %s\n", int(resource.size()), resource.data(), e.message.c_str());
  });
  std::stop_source stop;
  caches.Start(stop.get_token());
  caches.policies.WaitForSyncFor(10s);
  caches.namespaces.WaitForSyncFor(10s);
  for (const auto& api : caches.reports) api->reports.WaitForSyncFor(10s);
  for (const auto& informer : caches.workloads) informer->WaitForSyncFor(10s);
  stop.request_stop();
  caches.Join();

  PolicySetHolder policies;
  policies.Replace(std::make_shared<const PolicySet>(BuildPolicySet(caches.policies.List())));
  NodeFactsHolder node_facts;
  TallyStore tallies;
  EventRecorder events(client, "bench");
  WriteOverlay<CachedWorkload> written_workloads;
  WriteOverlay<CachedReport> written_reports;
  ReportDigests report_digests;
  auto now = std::chrono::system_clock::time_point(1'780'000'000s);
  ReconcileContext ctx{.client = client,
                       .caches = caches,
                       .policies = policies,
                       .node_facts = node_facts,
                       .tallies = tallies,
                       .events = events,
                       .written_workloads = written_workloads,
                       .written_reports = written_reports,
                       .now = [&] { return now; },
                       .report_digests = &report_digests};

  const NamespaceOutcome first = ReconcileNamespace(ctx, kNs, /*remediate=*/false);
  std::printf("%zu workloads; first pass: %d report writes\n", workloads.size(),
              first.report_writes);

  // Pass i changes workload i (round robin): every 4th change turns a compliant one privileged
  // (a report write), the others touch an annotation only (the churn of the scale bench).
  std::uint64_t rv = 1'000'000;
  auto run = [&](bool verdicts) {
    int writes = 0;
    const std::uint64_t allocations_before = allocations.load();
    const double cpu_before = CpuMs();
    for (int i = 0; i < passes; ++i) {
      Made& w = workloads[(i * 7) % workloads.size()];
      json& pod = std::string(w.resource->kind) == "CronJob"
                      ? w.object["spec"]["jobTemplate"]["spec"]["template"]
                      : w.object["spec"]["template"];
      if (verdicts) {
        json& security = pod["spec"]["containers"][0]["securityContext"];
        security["privileged"] = !security.value("privileged", false);
      } else {
        w.object["metadata"]["annotations"]["bench.containersecurity.dev/churn"] =
            std::to_string(i);
      }
      json object = w.object;
      object["metadata"]["resourceVersion"] = std::to_string(++rv);
      const std::string api_version = object["apiVersion"];
      auto cached = std::make_shared<const CachedWorkload>(
          CacheWorkloadValue(object, api_version, std::string(w.resource->kind)));
      written_workloads.Record(std::string(w.resource->kind) + "/" + kNs + "/" +
                                   object["metadata"]["name"].get<std::string>(),
                               rv, cached);
      now += 1s;
      writes += ReconcileNamespace(ctx, kNs, /*remediate=*/false).report_writes;
    }
    const double cpu = CpuMs() - cpu_before;
    std::printf("%-22s %d passes: %.2f CPU ms a pass, %.0f allocations a pass, %d report writes\n",
                verdicts ? "verdict changes:" : "annotation changes:", passes, cpu / passes,
                double(allocations.load() - allocations_before) / passes, writes);
  };
  const std::string only = argc > 3 ? argv[3] : "";
  if (only != "verdicts") run(false);
  if (only != "annotations") run(true);
  return 0;
}
