// ReconcileNamespace and ReconcilePolicy against the in-memory API server: what they write
// (reports, patches, Events, policy status) from what the caches listed.
#include "csp/manager/reconcilers.h"

#include <gtest/gtest.h>

#include <set>

#include "csp/manager/custom_kinds.h"
#include "csp/manager/resources.h"
#include "csp/policy/control.h"
#include "fake_api_server.h"

namespace csp::manager {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr char kPolicy[] = "base";
constexpr char kNs[] = "shop";
constexpr char kPrivilegedRule[] = "disallow-privileged";

// Every control off but `privileged`, from the registry: a workload's verdict depends on
// securityContext.privileged alone.
json PrivilegedOnlySpec(const std::string& action) {
  json controls = json::object();
  for (const policy::Control& c : policy::AllControls()) {
    controls[std::string(c.key)] = {{"enabled", c.id == kPrivilegedRule}};
  }
  return {{"action", action}, {"controls", controls}};
}

json PolicyObject(const json& spec) {
  return {{"apiVersion", "containersecurity.dev/v1alpha1"},
          {"kind", "ContainerSecurityPolicy"},
          {"metadata", {{"name", kPolicy}, {"generation", 1}}},
          {"spec", spec}};
}

json Deployment(const std::string& name, bool privileged) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}, {"namespace", kNs}, {"uid", "uid-" + name}}},
          {"spec",
           {{"replicas", 2},
            {"template",
             {{"spec",
               {{"containers",
                 {{{"name", "app"},
                   {"image", "nginx"},
                   {"securityContext", {{"privileged", privileged}}}}}}}}}}}}};
}

const kube::ResourceRef& Deployments() { return FindWorkloadResource("apps", "Deployment")->ref; }

class ReconcilersTest : public ::testing::Test {
 protected:
  ReconcilersTest() {
    auto transport = std::make_unique<test::FakeApiServer>();
    server_ = transport.get();
    client_ = std::make_unique<kube::Client>(std::move(transport),
                                             kube::RestConfig{.server = "https://fake"},
                                             kube::ClientOptions{.qps = 0});
    events_ = std::make_unique<EventRecorder>(*client_, "test");
    Seed(kNamespaces, "",
         {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNs}}}});
  }

  void Seed(const kube::ResourceRef& ref, const std::string& ns, json object) {
    const std::string name = object["metadata"]["name"];
    server_->Put(ref.ObjectPath(ns, name), std::move(object));
  }
  json Stored(const kube::ResourceRef& ref, const std::string& ns, const std::string& name) {
    return server_->Get(ref.ObjectPath(ns, name));
  }

  // Lists everything into fresh caches (their watches then stop) and builds the context, as
  // the manager has them when a worker starts.
  void Sync() {
    context_.reset();
    caches_ = std::make_unique<Caches>(
        *client_,
        [](std::string_view resource, const Error& e) {
          ADD_FAILURE() << resource << ": " << e.message;
        },
        report_apis_);
    std::stop_source stop;
    caches_->Start(stop.get_token());
    bool synced = caches_->policies.WaitForSyncFor(10s) && caches_->namespaces.WaitForSyncFor(10s);
    for (const auto& api : caches_->reports) {
      synced = synced && api->reports.WaitForSyncFor(10s) && api->node_reports.WaitForSyncFor(10s);
    }
    for (const auto& informer : caches_->workloads)
      synced = synced && informer->WaitForSyncFor(10s);
    stop.request_stop();
    caches_->Join();
    ASSERT_TRUE(synced);
    policies_.Replace(std::make_shared<const PolicySet>(BuildPolicySet(caches_->policies.List())));
    context_ =
        std::make_unique<ReconcileContext>(ReconcileContext{.client = *client_,
                                                            .caches = *caches_,
                                                            .policies = policies_,
                                                            .node_facts = node_facts_,
                                                            .tallies = tallies_,
                                                            .events = *events_,
                                                            .written_workloads = written_workloads_,
                                                            .written_reports = written_reports_,
                                                            .now = [this] { return now_; },
                                                            .remediation_guard = &guard_,
                                                            .report_digests = report_digests_});
  }

  json Report() { return Stored(kPolicyReports, kNs, std::string("csp-") + kPolicy); }

  // The result of `rule` for the Deployment `name` in the report, "" when there is none.
  std::string ResultOf(const std::string& name, const std::string& rule) {
    for (const json& r : Report().value("results", json::array())) {
      if (r.value("rule", "") != rule) continue;
      for (const json& res : r.value("resources", json::array())) {
        if (res.value("name", "") == name) return r.value("result", "");
      }
    }
    return "";
  }

  std::vector<names::ReportApi> report_apis_ = {names::ReportApi::kWgPolicyK8s};
  test::FakeApiServer* server_ = nullptr;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<EventRecorder> events_;
  std::unique_ptr<Caches> caches_;
  PolicySetHolder policies_;
  NodeFactsHolder node_facts_;
  TallyStore tallies_;
  WriteOverlay<CachedWorkload> written_workloads_;
  WriteOverlay<CachedReport> written_reports_;
  RemediationGuard guard_{{.revert_window = 600s, .patches_per_hour = 30}};
  std::unique_ptr<ReconcileContext> context_;
  std::chrono::system_clock::time_point now_{1'780'000'000s};
  ReportDigests* report_digests_ = nullptr;  // the operator's memo, when a test sets it
};

// A Rollout declared by a WorkloadKind with ScaleSubresource: the record goes on the object
// before /scale is set to 0, and /scale is restored before the record goes.
TEST_F(ReconcilersTest, CustomKindIsScaledDownAndRestoredThroughScale) {
  const std::string rollout = "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/web";
  server_->Put("/apis/argoproj.io/v1alpha1",
               {{"kind", "APIResourceList"},
                {"metadata", json::object()},
                {"resources",
                 {{{"name", "rollouts"}, {"namespaced", true}, {"kind", "Rollout"}},
                  {{"name", "rollouts/scale"}, {"namespaced", true}, {"kind", "Scale"}}}}});
  json web = Deployment("web", true);
  web["apiVersion"] = "argoproj.io/v1alpha1";
  web["kind"] = "Rollout";
  web["spec"]["replicas"] = 3;
  server_->Put(rollout, web);
  server_->Put(rollout + "/scale", {{"kind", "Scale"}, {"spec", {{"replicas", 3}}}});
  const json declaration = {{"metadata", {{"name", "rollouts.argoproj.io"}}},
                            {"apiVersion", "containersecurity.dev/v1alpha1"},
                            {"kind", "WorkloadKind"},
                            {"spec",
                             {{"group", "argoproj.io"},
                              {"version", "v1alpha1"},
                              {"kind", "Rollout"},
                              {"podTemplatePaths", {"spec.template"}},
                              {"scaleDown", "ScaleSubresource"}}}};
  Seed(kWorkloadKinds, "", declaration);
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("ScaleDown")));
  std::stop_source stop;
  // Lists the Rollouts now, as the operator's informer holds them.
  auto watch_rollouts = [&] {
    auto kinds = std::make_unique<CustomKinds>(
        *client_, CustomKinds::Callbacks{.changed = [](const std::string&) {},
                                         .forget = [](const std::string&) {}});
    EXPECT_TRUE(kinds->Sync(
        {std::make_shared<json>(Stored(kWorkloadKinds, "", declaration["metadata"]["name"]))},
        std::chrono::sys_seconds(1'780'000'000s), stop.get_token()));
    kinds->WaitForSync(stop.get_token(), 10s);
    return kinds;
  };
  auto kinds = watch_rollouts();
  Sync();
  context_->custom_kinds = kinds.get();

  NamespaceOutcome down = ReconcileNamespace(*context_, kNs, /*remediate=*/true);
  ASSERT_TRUE(down.status) << down.status.error().message;
  EXPECT_EQ(server_->requests("PATCH"),
            (std::vector<std::string>{"PATCH " + rollout, "PATCH " + rollout + "/scale"}));
  EXPECT_EQ(server_->Get(rollout + "/scale")["spec"]["replicas"], 0);
  json stored = server_->Get(rollout);
  EXPECT_EQ(stored["metadata"]["annotations"]["containersecurity.dev/scaled-down-from"], "3");
  EXPECT_EQ(stored["metadata"]["labels"]["containersecurity.dev/compliant"], "false");
  EXPECT_EQ(ResultOf("web", kPrivilegedRule), "fail");

  // Fixed: /scale first, then the record.
  stored["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = false;
  server_->Put(rollout, stored);
  kinds = watch_rollouts();
  Sync();
  context_->custom_kinds = kinds.get();
  const std::size_t before = server_->requests("PATCH").size();
  NamespaceOutcome up = ReconcileNamespace(*context_, kNs, /*remediate=*/true);
  ASSERT_TRUE(up.status) << up.status.error().message;
  const auto patches = server_->requests("PATCH");
  EXPECT_EQ(std::vector<std::string>(patches.begin() + before, patches.end()),
            (std::vector<std::string>{"PATCH " + rollout + "/scale", "PATCH " + rollout}));
  EXPECT_EQ(server_->Get(rollout + "/scale")["spec"]["replicas"], 3);
  EXPECT_FALSE(server_->Get(rollout)["metadata"]["annotations"].contains(
      "containersecurity.dev/scaled-down-from"));
  EXPECT_EQ(ResultOf("web", kPrivilegedRule), "pass");
}

TEST_F(ReconcilersTest, NamespaceReportsFirstThenRemediates) {
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("Label")));
  Seed(Deployments(), kNs, Deployment("good", false));
  Seed(Deployments(), kNs, Deployment("bad", true));
  Sync();

  // Without remediation: the report only, and the outcome says a patch is due.
  NamespaceOutcome first = ReconcileNamespace(*context_, kNs, /*remediate=*/false);
  ASSERT_TRUE(first.status) << first.status.error().message;
  EXPECT_TRUE(first.needs_remediation);
  EXPECT_EQ(first.patches, 0);
  EXPECT_EQ(first.report_writes, 1);
  EXPECT_EQ(first.changed_policies, std::vector<std::string>{kPolicy});
  EXPECT_EQ(server_->requests("POST"),
            std::vector<std::string>{"POST " + kPolicyReports.CollectionPath(kNs)});
  EXPECT_TRUE(server_->requests("PATCH").empty());
  EXPECT_EQ(ResultOf("bad", kPrivilegedRule), "fail");
  EXPECT_EQ(ResultOf("good", kPrivilegedRule), "pass");

  // With it: both are labelled (compliant or not), the violating one with an Event (a
  // workload first seen compliant gets none); the report, already right, is left.
  NamespaceOutcome second = ReconcileNamespace(*context_, kNs, /*remediate=*/true);
  ASSERT_TRUE(second.status) << second.status.error().message;
  EXPECT_EQ(second.patches, 2);
  EXPECT_EQ(second.report_writes, 0);
  EXPECT_EQ(server_->requests("PATCH"),
            (std::vector<std::string>{"PATCH " + Deployments().ObjectPath(kNs, "bad"),
                                      "PATCH " + Deployments().ObjectPath(kNs, "good")}));
  auto label = [&](const std::string& name) {
    return Stored(Deployments(), kNs, name)["metadata"]["labels"].value(
        "containersecurity.dev/compliant", "");
  };
  EXPECT_EQ(label("bad"), "false");
  EXPECT_EQ(label("good"), "true");
  events_->Flush();
  EXPECT_EQ(server_->requests("POST"),
            (std::vector<std::string>{"POST " + kPolicyReports.CollectionPath(kNs),
                                      "POST " + kEvents.CollectionPath(kNs)}))
      << "one report, then the violating workload's Event";

  // Level-triggered: another pass over the same state writes nothing.
  const std::size_t writes = server_->requests().size();
  NamespaceOutcome third = ReconcileNamespace(*context_, kNs, /*remediate=*/true);
  ASSERT_TRUE(third.status) << third.status.error().message;
  EXPECT_FALSE(third.needs_remediation);
  EXPECT_EQ(server_->requests().size(), writes) << "requests after a pass with nothing to do";
}

// --report-api both: one pass writes the same report as a PolicyReport and as a Report; a
// later pass with nothing changed writes neither.
TEST_F(ReconcilersTest, BothReportApisGetTheSameReport) {
  report_apis_ = names::ReportApisOf("both");
  const kube::ResourceRef reports = kube::ToResourceRef(names::kOpenReports);
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("Audit")));
  Seed(Deployments(), kNs, Deployment("bad", true));
  Sync();
  NamespaceOutcome first = ReconcileNamespace(*context_, kNs);
  ASSERT_TRUE(first.status) << first.status.error().message;
  EXPECT_EQ(first.report_writes, 2);
  EXPECT_EQ(server_->requests("POST"),
            (std::vector<std::string>{"POST " + kPolicyReports.CollectionPath(kNs),
                                      "POST " + reports.CollectionPath(kNs)}));
  const json polr = Report();
  const json rep = Stored(reports, kNs, std::string("csp-") + kPolicy);
  EXPECT_EQ(rep["kind"], "Report");
  EXPECT_EQ(rep["source"], "containersecurity");
  EXPECT_EQ(rep["results"], polr["results"]);
  EXPECT_EQ(ResultOf("bad", kPrivilegedRule), "fail");

  Sync();  // the caches now hold both
  NamespaceOutcome again = ReconcileNamespace(*context_, kNs);
  ASSERT_TRUE(again.status) << again.status.error().message;
  EXPECT_EQ(again.report_writes, 0);
}

TEST_F(ReconcilersTest, OpenReportsOnlyWritesNoPolicyReport) {
  report_apis_ = {names::ReportApi::kOpenReports};
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("Audit")));
  Seed(Deployments(), kNs, Deployment("bad", true));
  Sync();
  NamespaceOutcome first = ReconcileNamespace(*context_, kNs);
  ASSERT_TRUE(first.status) << first.status.error().message;
  EXPECT_EQ(server_->requests("POST"),
            std::vector<std::string>{"POST " +
                                     kube::ToResourceRef(names::kOpenReports).CollectionPath(kNs)});
  EXPECT_TRUE(Report().is_null());
}

TEST_F(ReconcilersTest, NamespaceDeletesTheReportsOfADeletedPolicy) {
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("Audit")));
  Seed(Deployments(), kNs, Deployment("bad", true));
  Sync();
  ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);
  ASSERT_FALSE(Report().is_null());

  ASSERT_TRUE(client_->Delete(kPolicies, "", kPolicy));
  Sync();
  NamespaceOutcome outcome = ReconcileNamespace(*context_, kNs);
  ASSERT_TRUE(outcome.status) << outcome.status.error().message;
  EXPECT_TRUE(Report().is_null());
  EXPECT_EQ(outcome.changed_policies, std::vector<std::string>{kPolicy});
}

TEST_F(ReconcilersTest, PolicyStatusFromTheTalliesAndFailedNamespaces) {
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("Audit")));
  Seed(Deployments(), kNs, Deployment("good", false));
  Seed(Deployments(), kNs, Deployment("bad", true));
  Sync();
  ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);

  ASSERT_TRUE(ReconcilePolicy(*context_, kPolicy));
  json status = Stored(kPolicies, "", kPolicy)["status"];
  EXPECT_EQ(status["workloads"],
            json({{"total", 2}, {"passing", 1}, {"failing", 1}, {"exempted", 0}, {"reverted", 0}}));
  EXPECT_EQ(status["observedGeneration"], 1);
  EXPECT_EQ(status["conditions"][0]["status"], "True");
  EXPECT_EQ(server_->requests("PUT"),
            std::vector<std::string>{"PUT " + kPolicies.ObjectPath("", kPolicy) + "/status"});

  // The same again from a fresh cache: no write.
  Sync();
  ASSERT_TRUE(ReconcilePolicy(*context_, kPolicy));
  EXPECT_EQ(server_->requests("PUT").size(), 1u);

  // A namespace the policy covers failed: named, counts kept.
  const std::vector<std::string> failed = {kNs};
  ASSERT_TRUE(ReconcilePolicy(*context_, kPolicy, failed));
  status = Stored(kPolicies, "", kPolicy)["status"];
  EXPECT_EQ(status["conditions"][0]["status"], "False");
  EXPECT_EQ(status["conditions"][0]["reason"], "ReconcileFailed");
  EXPECT_NE(status["conditions"][0].value("message", "").find(kNs), std::string::npos);
  EXPECT_EQ(status["workloads"]["total"], 2);
}

TEST_F(ReconcilersTest, PolicyIgnoresFailedNamespacesItCannotCover) {
  json spec = PrivilegedOnlySpec("Audit");
  spec["match"] = {{"excludeNamespaces", {"elsewhere"}},
                   {"namespaceSelector", {{"matchLabels", {{"team", "shop"}}}}}};
  Seed(kPolicies, "", PolicyObject(spec));
  Seed(kNamespaces, "",
       {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "unlabelled"}}}});
  Sync();
  const std::vector<std::string> failed = {"elsewhere", "unlabelled"};
  ASSERT_TRUE(ReconcilePolicy(*context_, kPolicy, failed));
  const json status = Stored(kPolicies, "", kPolicy)["status"];
  EXPECT_EQ(status["conditions"][0]["status"], "True") << status.dump();
}

TEST_F(ReconcilersTest, AConflictFailsThePassAndTheRetryStartsFresh) {
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("ScaleDown")));
  Seed(Deployments(), kNs, Deployment("bad", true));
  Sync();
  // Someone scales the Deployment after the cache listed it: the planned scale-down carries
  // the listed resourceVersion and meets 409.
  json changed = Stored(Deployments(), kNs, "bad");
  changed["spec"]["replicas"] = 3;
  server_->Put(Deployments().ObjectPath(kNs, "bad"), changed);
  NamespaceOutcome outcome = ReconcileNamespace(*context_, kNs);
  ASSERT_FALSE(outcome.status);
  EXPECT_EQ(outcome.status.error().code, Code::kAborted);
  EXPECT_EQ(server_->conflicts(), 1);

  Sync();
  outcome = ReconcileNamespace(*context_, kNs);
  ASSERT_TRUE(outcome.status) << outcome.status.error().message;
  const json bad = Stored(Deployments(), kNs, "bad");
  EXPECT_EQ(bad["spec"]["replicas"], 0);
  EXPECT_EQ(bad["metadata"]["annotations"].value("containersecurity.dev/scaled-down-from", ""),
            "3");
}

// The remediation properties of `name`'s failing results in the report.
std::set<std::string> RemediationsOf(const json& report, const std::string& name) {
  std::set<std::string> out;
  for (const json& r : report.value("results", json::array())) {
    for (const json& res : r.value("resources", json::array())) {
      if (res.value("name", "") != name || r.value("result", "") != "fail") continue;
      out.insert(r.value("properties", json::object()).value("remediation", ""));
    }
  }
  return out;
}

TEST_F(ReconcilersTest, IsolateCreatesTheNetworkPolicyAndReleasesItOnTheFix) {
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("Isolate")));
  json bad = Deployment("bad", true);
  bad["spec"]["selector"] = {{"matchLabels", {{"app", "bad"}}}};
  Seed(Deployments(), kNs, bad);
  Sync();
  ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);
  const std::string np_path = kNetworkPolicies.ObjectPath(kNs, "csp-isolate-deployment-bad");
  const json np = server_->Get(np_path);
  ASSERT_FALSE(np.is_null());
  EXPECT_EQ(np["spec"]["podSelector"], (json{{"matchLabels", {{"app", "bad"}}}}));
  EXPECT_EQ(np["metadata"]["ownerReferences"][0]["uid"], "uid-bad");
  const json stored = Stored(Deployments(), kNs, "bad");
  EXPECT_EQ(stored["spec"]["replicas"], 2) << "it keeps running";
  EXPECT_EQ(stored["metadata"]["annotations"].value("containersecurity.dev/isolated", ""),
            "csp-isolate-deployment-bad");
  EXPECT_EQ(RemediationsOf(Report(), "bad"),
            (std::set<std::string>{"isolated by NetworkPolicy csp-isolate-deployment-bad"}));

  // Deleted by hand: the next pass puts it back.
  ASSERT_TRUE(client_->Delete(kNetworkPolicies, kNs, "csp-isolate-deployment-bad"));
  Sync();
  ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);
  EXPECT_FALSE(server_->Get(np_path).is_null());

  json fixed = Stored(Deployments(), kNs, "bad");
  fixed["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = false;
  server_->Put(Deployments().ObjectPath(kNs, "bad"), fixed);
  Sync();
  ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);
  EXPECT_TRUE(server_->Get(np_path).is_null());
  EXPECT_FALSE(Stored(Deployments(), kNs, "bad")["metadata"]["annotations"].contains(
      "containersecurity.dev/isolated"));
}

// A workload Argo CD manages (its tracking annotation), or not.
json ArgoManaged(json deployment) {
  deployment["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"] =
      "shop:apps/Deployment:ns/bad";
  return deployment;
}

TEST_F(ReconcilersTest, AScaleDownPutBackTwiceOnANonGitOpsWorkloadIsReappliedEveryTime) {
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("ScaleDown")));
  Seed(Deployments(), kNs, Deployment("bad", true));
  Sync();
  ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);
  for (int i = 0; i < 3; ++i) {  // its owner scales it up again, and writes a stop record
    json object = Stored(Deployments(), kNs, "bad");
    object["spec"]["replicas"] = 2;
    object["metadata"]["annotations"]["containersecurity.dev/remediation-reverted"] = "0 kubectl";
    server_->Put(Deployments().ObjectPath(kNs, "bad"), object);
    Sync();
    ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);
    EXPECT_EQ(Stored(Deployments(), kNs, "bad")["spec"]["replicas"], 0) << "revert " << i;
  }
  EXPECT_EQ(guard_.stops(), 0u);
}

TEST_F(ReconcilersTest, AScaleDownPutBackTwiceIsNotReappliedAndIsCounted) {
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("ScaleDown")));
  Seed(Deployments(), kNs, ArgoManaged(Deployment("bad", true)));
  Sync();
  ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);
  ASSERT_EQ(Stored(Deployments(), kNs, "bad")["spec"]["replicas"], 0);
  // The GitOps controller applies Git's replicas again, owning the field.
  auto revert = [&] {
    json object = Stored(Deployments(), kNs, "bad");
    object["spec"]["replicas"] = 2;
    object["metadata"]["managedFields"] = {
        {{"manager", "argocd-controller"},
         {"operation", "Apply"},
         {"time", "2026-06-01T00:00:00Z"},
         {"fieldsV1", {{"f:spec", {{"f:replicas", json::object()}}}}}}};
    server_->Put(Deployments().ObjectPath(kNs, "bad"), object);
    Sync();
    ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);
  };
  revert();
  EXPECT_EQ(Stored(Deployments(), kNs, "bad")["spec"]["replicas"], 0) << "the first is re-applied";
  revert();
  const json stored = Stored(Deployments(), kNs, "bad");
  EXPECT_EQ(stored["spec"]["replicas"], 2) << "the second is not";
  EXPECT_TRUE(stored["metadata"]["annotations"]
                  .value("containersecurity.dev/remediation-reverted", "")
                  .ends_with(" argocd-controller"))
      << stored.dump();
  EXPECT_EQ(RemediationsOf(Report(), "bad"),
            (std::set<std::string>{"reverted by argocd-controller"}));
  EXPECT_EQ(guard_.stops(), 1u);

  // Held: more passes write nothing to the workload.
  const int patches = server_->count("PATCH");
  Sync();
  ASSERT_TRUE(ReconcileNamespace(*context_, kNs).status);
  EXPECT_EQ(server_->count("PATCH"), patches);
  ASSERT_TRUE(ReconcilePolicy(*context_, kPolicy));
  EXPECT_EQ(Stored(kPolicies, "", kPolicy)["status"]["workloads"]["reverted"], 1);
}

// With and without the memo of report digests (the operator runs with it), the same sequence
// of passes makes the same writes and the same reports: a verdict change, someone else's edit
// of our report put back, steady passes writing nothing, a deleted policy's report deleted. The
// memo holds the namespace's reports only while they are desired.
class ReportDigestsReconcileTest : public ReconcilersTest,
                                   public ::testing::WithParamInterface<bool> {};

TEST_P(ReportDigestsReconcileTest, SameWritesAndReportsWithAndWithoutTheMemo) {
  ReportDigests digests;
  if (GetParam()) report_digests_ = &digests;
  // Each pass one second later; returns its report writes.
  auto pass = [&] {
    now_ += 1s;
    NamespaceOutcome outcome = ReconcileNamespace(*context_, kNs);
    EXPECT_TRUE(outcome.status) << outcome.status.error().message;
    return outcome.report_writes;
  };
  auto seconds_of = [&](const std::string& name) {
    const json report = Report();
    for (const json& r : report["results"]) {
      if (r["rule"] == kPrivilegedRule && r["resources"][0]["name"] == name)
        return r["timestamp"]["seconds"].get<std::int64_t>();
    }
    return std::int64_t{-1};
  };
  Seed(kPolicies, "", PolicyObject(PrivilegedOnlySpec("Audit")));
  Seed(Deployments(), kNs, Deployment("good", false));
  Seed(Deployments(), kNs, Deployment("bad", true));
  Sync();
  EXPECT_EQ(pass(), 1);
  const std::int64_t created = seconds_of("bad");
  EXPECT_EQ(pass(), 0);  // our write, from the overlay
  Sync();
  EXPECT_EQ(pass(), 0);  // the same, from the cache
  EXPECT_EQ(digests.size(), GetParam() ? 1u : 0u);

  Seed(Deployments(), kNs, Deployment("good", true));
  Sync();
  EXPECT_EQ(pass(), 1);
  EXPECT_EQ(ResultOf("good", kPrivilegedRule), "fail");
  EXPECT_EQ(seconds_of("bad"), created);  // unchanged: its timestamp kept
  EXPECT_GT(seconds_of("good"), created);

  json edited = Report();
  for (json& r : edited["results"]) r["result"] = "pass";
  server_->Put(kPolicyReports.ObjectPath(kNs, edited["metadata"]["name"].get<std::string>()),
               edited);
  Sync();
  EXPECT_EQ(pass(), 1);  // put back
  EXPECT_EQ(ResultOf("bad", kPrivilegedRule), "fail");
  Sync();
  EXPECT_EQ(pass(), 0);

  ASSERT_TRUE(client_->Delete(kPolicies, "", kPolicy));
  Sync();
  EXPECT_EQ(pass(), 1);
  EXPECT_TRUE(Report().is_null());
  EXPECT_EQ(digests.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Memo, ReportDigestsReconcileTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "With" : "Without"; });

}  // namespace
}  // namespace csp::manager
