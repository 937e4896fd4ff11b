// Runs the csp-operator binary against the e2e cluster, the way a Deployment in csp-system
// would: under the ServiceAccount csp-operator bound to config/rbac/ (never the admin), as a
// subprocess whose output goes to a log file under the build folder. Plus builders for the
// policies and workloads the operator tests create, and readers for what the operator writes.
//
// Every OperatorTest creates its own policies, whose match selects only its own namespace
// (namespaceSelector on kubernetes.io/metadata.name), and its own operator(s) with a Lease of
// their own; TearDown stops the operators (SIGTERM, expecting exit 0) and deletes the policies.
// An operator acts on the whole cluster, so the operator tests run serially (RUN_SERIAL in
// tests/e2e/CMakeLists.txt).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "csp/names/names.h"
#include "e2e_env.h"

namespace csp::e2e {

// ---- Operator process ------------------------------------------------------------------------

// <build>/operator/cmd/operator/csp-operator, or $CSP_OPERATOR when set.
std::string OperatorBinary();

// A TCP port on 127.0.0.1 that was free a moment ago (0 when none could be found).
int FreeLoopbackPort();

// One GET on a plain-HTTP loopback port (the operator's /healthz, /readyz, /metrics).
struct HttpResult {
  int status = 0;  // 0 when no response came back
  std::string body = {};
  std::string error = {};  // why there was no response
};
HttpResult HttpGet(int port, const std::string& path);

// One sample of the Prometheus text format.
struct MetricSample {
  std::string name = {};
  std::map<std::string, std::string> labels = {};
  double value = 0;
};
std::vector<MetricSample> ParseMetrics(const std::string& text);
// Sum of the samples called `name` whose labels include every pair of `labels`.
double SumMetric(const std::vector<MetricSample>& samples, const std::string& name,
                 const std::map<std::string, std::string>& labels = {});
// Whether any sample is called `name` (a metric the operator does not expose reads as 0 in
// SumMetric, so tests check presence first).
bool HasMetric(const std::vector<MetricSample>& samples, const std::string& name);
// Successful (2xx) writes, POST/PUT/PATCH/DELETE/APPLY, in csp_api_requests_total{verb,code}.
double SuccessfulWrites(const std::vector<MetricSample>& samples);

struct OperatorOptions {
  std::string identity = {};    // --identity; default: a unique name
  std::string lease_name = {};  // --lease-name in csp-system; default: a unique name
  int lease_duration = 15;      // seconds, the binary's defaults
  int renew_deadline = 10;
  int retry_period = 2;
  // Off: --webhook-listen-address= (no webhook, no configuration written); the admission
  // tests turn it on with their own flags in extra_args.
  bool webhook = false;
  std::vector<std::string> extra_args = {};
  // Empty: the ServiceAccount's token kubeconfig (config/rbac/); else this one.
  std::string kubeconfig = {};
};

class OperatorProcess {
 public:
  OperatorProcess(std::string kubeconfig, std::string log_path, OperatorOptions options);
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;
  ~OperatorProcess();  // kills a process still running: no test leaves one behind

  // Starts the binary with --listen-address 127.0.0.1:0 and waits (up to `timeout`) for the
  // "listening on" log line that names the chosen port.
  ::testing::AssertionResult Start(std::chrono::seconds timeout = std::chrono::seconds(60));
  // Waits until GET `path` answers 200 (/healthz: serving; /readyz: caches synced).
  ::testing::AssertionResult WaitFor200(const std::string& path, std::chrono::seconds timeout);

  // SIGTERM, then SIGKILL after `grace`; returns the exit code (128+N when killed by signal N),
  // nullopt when it was not running.
  std::optional<int> Stop(std::chrono::seconds grace = std::chrono::seconds(30));
  // SIGKILL, as a crash; reaps it.
  void Kill();
  // False once the process has exited (then exit_code() says how).
  bool Running();
  std::optional<int> exit_code() const { return exit_code_; }

  HttpResult Get(const std::string& path) const { return HttpGet(port_, path); }
  // Parsed /metrics; adds a test failure and returns nothing when it cannot be read.
  std::vector<MetricSample> Metrics() const;
  std::string LogTail(size_t lines = 60) const;

  const std::string& identity() const { return options_.identity; }
  const std::string& lease_name() const { return options_.lease_name; }
  const std::string& log_path() const { return log_path_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  std::optional<int> PortFromLog() const;
  std::optional<int> Reap(bool block);

  const std::string kubeconfig_;
  const std::string log_path_;
  OperatorOptions options_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::optional<int> exit_code_;
};

// Namespace of the operator's ServiceAccount and Leases (config/rbac).
inline constexpr char kOperatorNamespace[] = "csp-system";

// ---- Policies and workloads ------------------------------------------------------------------

inline const std::string kCompliantLabel(names::kCompliantLabel);
inline const std::string kViolationsAnnotation(names::kViolationsAnnotation);
inline const std::string kScaledDownFromAnnotation(names::kScaledDownFromAnnotation);
inline const std::string kQuarantineKey(names::kQuarantineKey);
inline constexpr char kPrivilegedRule[] = "disallow-privileged";
inline constexpr char kNonRootRule[] = "require-non-root";

// A policy spec selecting only namespace `ns`, with `action`, and only the control
// `privileged` enabled (rule disallow-privileged), so that a workload's verdict depends on
// securityContext.privileged alone.
nlohmann::json PrivilegedOnlyPolicySpec(const std::string& ns, const std::string& action);
// Every control but `privileged` disabled.
nlohmann::json PrivilegedOnlyControls();
nlohmann::json PolicyObject(const std::string& name, const nlohmann::json& spec);

// A pod spec with one container "app" (pause image; kwok never pulls it), running as user
// 1000 with runAsNonRoot unless `root`, privileged when asked.
nlohmann::json PodSpec(bool privileged, bool root = false);
// Workloads labeled app=<name> (their Pods too). The Pod template is `pod_spec`.
nlohmann::json DeploymentObject(const std::string& name, int replicas,
                                const nlohmann::json& pod_spec);
nlohmann::json StatefulSetObject(const std::string& name, int replicas,
                                 const nlohmann::json& pod_spec);
nlohmann::json DaemonSetObject(const std::string& name, const nlohmann::json& pod_spec);
// Scheduled once a year, so no Job runs during a test.
nlohmann::json CronJobObject(const std::string& name, const nlohmann::json& pod_spec);
nlohmann::json PodObject(const std::string& name, const nlohmann::json& pod_spec);

// ---- Reading the cluster ---------------------------------------------------------------------

// `kubectl get -o json` as the admin; nullopt when the object does not exist or kubectl fails
// (no test failure: for polling).
std::optional<nlohmann::json> TryGet(const std::string& resource, const std::string& ns,
                                     const std::string& name);
// Items of `kubectl get <resource> -n ns [-l selector]`; empty on failure.
std::vector<nlohmann::json> ListItems(const std::string& resource, const std::string& ns,
                                      const std::string& selector = "");

std::string LabelOf(const nlohmann::json& object, const std::string& key);       // "" if absent
std::string AnnotationOf(const nlohmann::json& object, const std::string& key);  // "" if absent
bool HasLabel(const nlohmann::json& object, const std::string& key);
bool HasAnnotation(const nlohmann::json& object, const std::string& key);

// The report csp-<policy> in ns.
std::optional<nlohmann::json> Report(const std::string& ns, const std::string& policy);
// The results of `report` on the workload kind/name (any rule).
std::vector<nlohmann::json> ResultsFor(const nlohmann::json& report, const std::string& kind,
                                       const std::string& name);
// The result ("pass", "fail", "skip", ...) of rule on kind/name in ns's csp-<policy> report,
// "" when there is none (or no report).
std::string ResultOf(const std::string& ns, const std::string& policy, const std::string& kind,
                     const std::string& name, const std::string& rule);
// Names of the workloads with any result in the report (sorted, unique).
std::vector<std::string> ReportedNames(const nlohmann::json& report);

// Events in ns whose involvedObject is kind/name: reason -> total count (an Event's `count`,
// 1 when unset), counting only those from csp-operator (source.component or
// reportingComponent).
std::map<std::string, int> OperatorEvents(const std::string& ns, const std::string& kind,
                                          const std::string& name);

// Pods in ns labeled app=<app>, not being deleted.
int LivePods(const std::string& ns, const std::string& app);

// ---- The fixture -----------------------------------------------------------------------------

class OperatorTest : public E2ETest {
 protected:
  // E2ETest::SetUp, then (once per process) the CRDs, config/rbac/ and a token kubeconfig of
  // the ServiceAccount csp-system/csp-operator.
  void SetUp() override;
  // On failure prints each operator's log tail; stops the operators (expecting a clean exit 0
  // on SIGTERM for those still running) and deletes the test's policies.
  void TearDown() override;

  // Starts an operator and waits until it is ready (/readyz 200). The returned process lives
  // until TearDown.
  OperatorProcess* StartOperator(OperatorOptions options = {});
  // Starts one without waiting for /readyz (a non-leader replica may never be ready).
  OperatorProcess* LaunchOperator(OperatorOptions options = {});

  // Creates a policy (deleted in TearDown) and returns its name, UniqueName(prefix).
  std::string CreatePolicy(const std::string& prefix, const nlohmann::json& spec);
  // Merge-patches a policy's spec.
  void PatchPolicySpec(const std::string& name, const nlohmann::json& spec_patch);
  // Waits until the operator has reconciled the policy's current generation: status
  // observedGeneration == metadata.generation and Ready=True. Returns the policy.
  nlohmann::json WaitPolicyReconciled(const std::string& name,
                                      std::chrono::seconds timeout = std::chrono::seconds(60));

  // Creates an object in ns() as the admin (`kubectl create -f -`).
  void Create(const nlohmann::json& object);
  // `kubectl patch <resource>/<name> -n ns() --type=<type> -p <patch>` as the admin.
  void Patch(const std::string& resource, const std::string& name, const nlohmann::json& patch,
             const std::string& type = "merge");

  // Waits until `predicate` holds for ns()'s <resource>/<name>; on timeout adds a failure
  // naming `what` and the object's last state.
  ::testing::AssertionResult WaitObject(const std::string& resource, const std::string& name,
                                        const std::string& what,
                                        const std::function<bool(const nlohmann::json&)>& predicate,
                                        std::chrono::milliseconds timeout);

  const std::string& operator_kubeconfig() const;

 private:
  std::vector<std::unique_ptr<OperatorProcess>> operators_;
  std::vector<std::string> policies_;
};

// An OperatorTest whose operators serve the admission webhook on a free loopback port, which the
// API server calls by URL (docs/cluster.md).
class WebhookOperatorTest : public OperatorTest {
 protected:
  void SetUp() override;
  // Also deletes the cluster-wide admission objects the operators wrote (label
  // app.kubernetes.io/managed-by: csp-operator): the webhook configuration and any generated
  // ValidatingAdmissionPolicy and binding. Left behind, they would judge the next tests'
  // workloads, with no operator behind a Fail webhook.
  void TearDown() override;

  // StartOperator with the webhook on port_ (--webhook-url https://127.0.0.1:<port>/validate).
  OperatorProcess* StartWithWebhook(const std::vector<std::string>& extra = {});

  int port_ = 0;
};

}  // namespace csp::e2e
