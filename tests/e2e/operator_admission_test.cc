// Admission against the real kube-apiserver (docs/admission.md): the operator serves the
// webhook on loopback (clientConfig.url, docs/cluster.md), writes the
// ValidatingWebhookConfiguration and its certificates itself, and the API server calls it for
// every create and update of the kinds that a Warn or Deny policy covers.
//
// The configuration is cluster-wide: WebhookOperatorTest::TearDown deletes it, or the next tests'
// workloads would meet a Fail webhook with no operator behind it.
#include <atomic>
#include <set>
#include <string>
#include <thread>

#include "csp/common/rfc3339.h"
#include "csp/kube/client.h"
#include "csp/kube/cpprest_transport.h"
#include "csp/kube/kubeconfig.h"
#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kConfiguration[] = "csp-operator";  // the default, as config/rbac names it
constexpr char kVwc[] = "validatingwebhookconfigurations.admissionregistration.k8s.io";
constexpr char kDenyWebhook[] = "deny.containersecurity.dev";
constexpr char kWarnWebhook[] = "warn.containersecurity.dev";
// The issue's bound for the configuration to follow a policy change.
constexpr auto kConfigurationFollows = 5s;
constexpr auto kReconcile = 60s;

std::string ResourceOf(const std::string& kind) {
  if (kind == "Pod") return "pods";
  if (kind == "CronJob") return "cronjobs.batch";
  return kind == "DaemonSet" ? "daemonsets.apps" : "deployments.apps";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The names of the webhooks in the cluster's configuration that carry a caBundle ("" entries
// for those without), or nullopt when there is no configuration.
std::optional<std::vector<std::string>> Webhooks() {
  auto vwc = TryGet(kVwc, "", kConfiguration);
  if (!vwc) return std::nullopt;
  std::vector<std::string> names;
  for (const json& w : vwc->value("webhooks", json::array())) {
    const bool bundle = !w["clientConfig"].value("caBundle", std::string()).empty();
    names.push_back(bundle ? w.value("name", std::string()) : std::string());
  }
  return names;
}

class OperatorAdmissionTest : public WebhookOperatorTest {
 protected:
  json Spec(const std::string& admission, const std::string& action = "Audit") {
    json spec = PrivilegedOnlyPolicySpec(ns(), action);
    spec["admission"] = admission;
    return spec;
  }

  CommandResult CreateObject(const json& object, bool dry_run = false) {
    std::vector<std::string> args = {"create", "-n", ns(), "-f", "-"};
    if (dry_run) args.push_back("--dry-run=server");
    return Kubectl(args, object.dump());
  }

  // Until the API server calls the webhook: a server-side dry run of a violating Pod is refused
  // (nothing is created while waiting).
  ::testing::AssertionResult WaitEnforced(const std::string& policy) {
    CommandResult last;
    const json probe = PodObject("probe", PodSpec(/*privileged=*/true));
    if (Eventually(
            [&] {
              last = CreateObject(probe, /*dry_run=*/true);
              return last.exit_code != 0 && Contains(last.err, "policy \"" + policy + "\"");
            },
            kReconcile)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "a privileged Pod is still admitted: " << last;
  }

  ::testing::AssertionResult WaitWebhooks(const std::vector<std::string>& want,
                                          std::chrono::milliseconds timeout) {
    std::optional<std::vector<std::string>> last;
    if (Eventually(
            [&] {
              last = Webhooks();
              return last && *last == want;
            },
            timeout)) {
      return ::testing::AssertionSuccess();
    }
    std::string got = last ? "" : "(no configuration)";
    if (last) {
      for (const auto& n : *last) got += (n.empty() ? "(no caBundle)" : n) + " ";
    }
    return ::testing::AssertionFailure() << "webhooks: " << got;
  }
};

TEST_F(OperatorAdmissionTest, DenyRefusesEveryViolatingKindWithOneMessage) {
  const std::string policy = CreatePolicy("e2e-deny", Spec("Deny"));
  OperatorProcess* op = StartWithWebhook();
  ASSERT_TRUE(WaitEnforced(policy));

  const json bad = PodSpec(/*privileged=*/true);
  const std::vector<json> violators = {DeploymentObject("bad-deploy", 1, bad),
                                       PodObject("bad-pod", bad), CronJobObject("bad-cron", bad),
                                       DaemonSetObject("bad-ds", bad)};
  const std::string message = "admission webhook \"" + std::string(kDenyWebhook) +
                              "\" denied the request: containersecurity.dev policy \"" + policy +
                              "\": disallow-privileged: container \"app\"";
  for (const json& object : violators) {
    const std::string what = object["kind"].get<std::string>();
    CommandResult r = CreateObject(object);
    EXPECT_NE(r.exit_code, 0) << what << " was admitted";
    EXPECT_TRUE(Contains(r.err, message)) << what << ": " << r.err;
    EXPECT_FALSE(TryGet(ResourceOf(what), ns(), object["metadata"]["name"]))
        << what << " exists after being refused";
  }
  // A compliant workload goes through, and so do its Pods.
  CommandResult good = CreateObject(DeploymentObject("good", 1, PodSpec(false)));
  EXPECT_EQ(good.exit_code, 0) << good;
  EXPECT_TRUE(Eventually([&] { return LivePods(ns(), "good") == 1; }, kReconcile));

  const auto metrics = op->Metrics();
  EXPECT_GE(SumMetric(metrics, "csp_admission_reviews_total", {{"verdict", "denied"}}), 4);
  EXPECT_GE(SumMetric(metrics, "csp_admission_reviews_total", {{"verdict", "allowed"}}), 2);
}

TEST_F(OperatorAdmissionTest, WarnAdmitsAndKubectlPrintsTheWarnings) {
  const std::string policy = CreatePolicy("e2e-warn", Spec("Warn"));
  StartWithWebhook();
  ASSERT_TRUE(WaitWebhooks({kWarnWebhook}, kReconcile));
  CommandResult r;
  ASSERT_TRUE(Eventually(
      [&] {
        r = CreateObject(DeploymentObject("loud", 1, PodSpec(true)), /*dry_run=*/true);
        return Contains(r.err, "Warning:");
      },
      kReconcile))
      << r;
  r = CreateObject(DeploymentObject("loud", 1, PodSpec(true)));
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(Contains(r.err, "Warning: containersecurity.dev policy \"" + policy +
                                  "\": disallow-privileged: container \"app\""))
      << r.err;
}

TEST_F(OperatorAdmissionTest, ExemptionsAdmitUntilTheyExpire) {
  json spec = Spec("Deny");
  spec["exemptions"] = {
      {{"kinds", {"Deployment"}}, {"names", {"legacy-*"}}, {"reason", "migrating"}},
      {{"kinds", {"Deployment"}},
       {"names", {"lapsed"}},
       {"reason", "was migrating"},
       {"expires", FormatRfc3339(std::chrono::system_clock::now() - 1h)}}};
  const std::string policy = CreatePolicy("e2e-exempt", spec);
  StartWithWebhook();
  ASSERT_TRUE(WaitEnforced(policy));
  // Exempted as a Deployment: its ReplicaSet's Pods are judged as the Deployment, so they run.
  CommandResult r = CreateObject(DeploymentObject("legacy-db", 1, PodSpec(true)));
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(Eventually([&] { return LivePods(ns(), "legacy-db") == 1; }, kReconcile))
      << "the exempted Deployment's Pod was not created";
  r = CreateObject(DeploymentObject("lapsed", 1, PodSpec(true)));
  EXPECT_NE(r.exit_code, 0) << "an expired exemption still admits: " << r;
  EXPECT_TRUE(Contains(r.err, "disallow-privileged")) << r.err;
}

// Old violators are not locked: scaling and metadata changes pass, a template change is judged,
// and the Pods their controller creates are refused (the ReplicaSet's FailedCreate Event says
// why).
TEST_F(OperatorAdmissionTest, UpdatesAreJudgedOnlyWhenThePodTemplateChanges) {
  CreateObject(DeploymentObject("old", 1, PodSpec(true)));
  ASSERT_TRUE(Eventually([&] { return LivePods(ns(), "old") == 1; }, kReconcile));
  const std::string policy = CreatePolicy("e2e-update", Spec("Deny"));
  StartWithWebhook();
  ASSERT_TRUE(WaitEnforced(policy));

  CommandResult r = Kubectl({"-n", ns(), "scale", "deployment/old", "--replicas=3"});
  EXPECT_EQ(r.exit_code, 0) << "scaling an old violator up was refused: " << r;
  r = Kubectl({"-n", ns(), "label", "deployment/old", "team=payments"});
  EXPECT_EQ(r.exit_code, 0) << "labelling an old violator was refused: " << r;
  // Its new Pods are judged: the ReplicaSet cannot create them.
  std::string events;
  EXPECT_TRUE(Eventually(
      [&] {
        events = Kubectl({"-n", ns(), "get", "events", "--field-selector", "reason=FailedCreate",
                          "-o", "jsonpath={.items[*].message}"})
                     .out;
        return Contains(events, "policy \"" + policy + "\"");
      },
      kReconcile))
      << "no FailedCreate Event naming the policy: " << events;
  EXPECT_EQ(LivePods(ns(), "old"), 1);
  r = Kubectl({"-n", ns(), "scale", "deployment/old", "--replicas=0"});
  EXPECT_EQ(r.exit_code, 0) << "scaling an old violator to 0 was refused: " << r;
  r = Kubectl({"-n", ns(), "set", "image", "deployment/old", "app=registry.k8s.io/pause:3.9"});
  EXPECT_NE(r.exit_code, 0) << "a template change of a violator was admitted: " << r;
  EXPECT_TRUE(Contains(r.err, "disallow-privileged")) << r.err;
}

// The operator's own remediation under Deny: ScaleDown of a Deployment, quarantine of a
// DaemonSet, and their restore once fixed, all go through its own webhook.
TEST_F(OperatorAdmissionTest, RemediationPatchesGoThroughUnderDeny) {
  CreateObject(DeploymentObject("web", 2, PodSpec(true)));
  CreateObject(DaemonSetObject("agent", PodSpec(true)));
  const std::string policy = CreatePolicy("e2e-remediate", Spec("Deny", "ScaleDown"));
  StartWithWebhook();
  ASSERT_TRUE(WaitEnforced(policy));
  ASSERT_TRUE(WaitObject(
      "deployments.apps", "web", "scaled to 0",
      [](const json& o) { return o["spec"].value("replicas", -1) == 0; }, kReconcile));
  ASSERT_TRUE(WaitObject(
      "daemonsets.apps", "agent", "quarantined",
      [](const json& o) {
        return o["spec"]["template"]["spec"]
            .value("nodeSelector", json::object())
            .contains(kQuarantineKey);
      },
      kReconcile));
  // Fixed by their owners (compliant templates are admitted), then restored by the operator.
  Patch(
      "deployments.apps", "web",
      {{"spec", {{"template", {{"spec", {{"containers", {PodSpec(false)["containers"][0]}}}}}}}}});
  Patch(
      "daemonsets.apps", "agent",
      {{"spec", {{"template", {{"spec", {{"containers", {PodSpec(false)["containers"][0]}}}}}}}}});
  EXPECT_TRUE(WaitObject(
      "deployments.apps", "web", "restored to 2",
      [](const json& o) { return o["spec"].value("replicas", -1) == 2; }, kReconcile));
  EXPECT_TRUE(WaitObject(
      "daemonsets.apps", "agent", "out of quarantine",
      [](const json& o) {
        return !o["spec"]["template"]["spec"]
                    .value("nodeSelector", json::object())
                    .contains(kQuarantineKey);
      },
      kReconcile));
}

TEST_F(OperatorAdmissionTest, KubectlDebugWithAPrivilegedProfileIsRefused) {
  CreateObject(PodObject("target", PodSpec(false)));
  const std::string policy = CreatePolicy("e2e-debug", Spec("Deny"));
  StartWithWebhook();
  ASSERT_TRUE(WaitEnforced(policy));
  CommandResult r = Kubectl({"-n", ns(), "debug", "target", "--image=registry.k8s.io/pause:3.10",
                             "--profile=sysadmin", "--container=dbg"});
  EXPECT_NE(r.exit_code, 0) << "kubectl debug --profile=sysadmin was admitted: " << r;
  EXPECT_TRUE(Contains(r.err, "disallow-privileged") && Contains(r.err, "\"dbg\"")) << r.err;
  auto pod = TryGet("pods", ns(), "target");
  ASSERT_TRUE(pod);
  EXPECT_FALSE((*pod)["spec"].contains("ephemeralContainers")) << pod->dump();
  // A debug container that keeps to the policy is admitted.
  r = Kubectl({"-n", ns(), "debug", "target", "--image=registry.k8s.io/pause:3.10",
               "--profile=restricted", "--container=dbg2"});
  EXPECT_EQ(r.exit_code, 0) << r;
}

TEST_F(OperatorAdmissionTest, FailurePolicyDecidesWhileTheOperatorIsDown) {
  const std::string policy = CreatePolicy("e2e-down", Spec("Deny"));
  OperatorProcess* op = StartWithWebhook();
  ASSERT_TRUE(WaitEnforced(policy));
  ASSERT_EQ(op->Stop(), std::optional<int>(0));
  // Fail (the default): refused, and the API server names the webhook it could not call.
  CommandResult r = CreateObject(PodObject("while-down", PodSpec(true)));
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(Contains(r.err, "failed calling webhook \"" + std::string(kDenyWebhook) + "\""))
      << r.err;
  // Never sent: the operator's namespace and kube-system, so the operator can always start.
  for (const std::string excluded : {"csp-system", "kube-system"}) {
    const std::string name = UniqueName("e2e-excluded");
    json pod = PodObject(name, PodSpec(true));
    CommandResult c = Kubectl({"create", "-n", excluded, "-f", "-"}, pod.dump());
    EXPECT_EQ(c.exit_code, 0) << excluded << ": " << c;
    Kubectl({"delete", "pod", "-n", excluded, name, "--wait=false", "--grace-period=0"});
  }
  // Ignore: admitted while the operator is down.
  op = StartWithWebhook({"--webhook-failure-policy=Ignore"});
  ASSERT_TRUE(Eventually(
      [&] {
        auto vwc = TryGet(kVwc, "", kConfiguration);
        return vwc && !(*vwc)["webhooks"].empty() &&
               (*vwc)["webhooks"][0].value("failurePolicy", "") == "Ignore";
      },
      kReconcile));
  ASSERT_EQ(op->Stop(), std::optional<int>(0));
  r = CreateObject(PodObject("ignored", PodSpec(true)));
  EXPECT_EQ(r.exit_code, 0) << r;
}

TEST_F(OperatorAdmissionTest, ConfigurationFollowsThePolicyWithinSeconds) {
  const std::string policy = CreatePolicy("e2e-follow", Spec("Deny"));
  StartWithWebhook();
  ASSERT_TRUE(WaitWebhooks({kDenyWebhook}, kReconcile));
  PatchPolicySpec(policy, {{"admission", "None"}});
  EXPECT_TRUE(WaitWebhooks({}, kConfigurationFollows)) << "rules left after admission: None";
  PatchPolicySpec(policy, {{"admission", "Deny"}});
  EXPECT_TRUE(WaitWebhooks({kDenyWebhook}, kConfigurationFollows)) << "rules not back";
  PatchPolicySpec(policy, {{"admission", "Warn"}});
  EXPECT_TRUE(WaitWebhooks({kWarnWebhook}, kConfigurationFollows));
}

// Hostile AdmissionReviews straight to the endpoint: a clear 4xx or an answer, never a crash.
TEST_F(OperatorAdmissionTest, HostileReviewsGetClearAnswers) {
  CreatePolicy("e2e-hostile", Spec("Deny"));
  OperatorProcess* op = StartWithWebhook();
  ASSERT_TRUE(WaitWebhooks({kDenyWebhook}, kReconcile));
  const std::string url = "https://127.0.0.1:" + std::to_string(port_) + "/validate";
  auto post = [&](const std::string& body) {
    return Run({"curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                "Content-Type: application/json", "--data-binary", "@-", url},
               body);
  };
  EXPECT_EQ(post("{not json").out, "400");
  EXPECT_EQ(post(R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview",
                     "request":{"uid":"1"}})")
                .out,
            "400");
  EXPECT_EQ(post(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})").out, "400");
  EXPECT_EQ(post(std::string(10 << 20, ' ')).out, "413");
  CommandResult unknown =
      Run({"curl", "-sk", "-X", "POST", "--data-binary", "@-", url},
          R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",
          "kind":{"group":"example.com","version":"v1","kind":"Widget"},
          "resource":{"group":"example.com","version":"v1","resource":"widgets"},
          "operation":"CREATE","namespace":"x","object":{"kind":"Widget"}}})");
  const json answer = json::parse(unknown.out, nullptr, false);
  EXPECT_EQ(answer["response"]["uid"], "u1") << unknown.out;
  EXPECT_EQ(answer["response"]["allowed"], true) << unknown.out;
  EXPECT_TRUE(op->Running()) << op->LogTail();
  EXPECT_GE(SumMetric(op->Metrics(), "csp_admission_reviews_total", {{"verdict", "invalid"}}), 3);
}

// Certificates rotate under load with no failed admission: the serving certificate is renewed
// every ~20 s and the CA every ~60 s (short lifetimes by flag), while 5 clients send 50
// server-side dry-run Pod creates a second through the API server to the webhook.
TEST_F(OperatorAdmissionTest, CertificateRotationUnderLoadFailsNoAdmission) {
  const std::string policy = CreatePolicy("e2e-rotate", Spec("Deny"));
  // A fresh Secret: its lifetimes are the flags'.
  Kubectl({"-n", kOperatorNamespace, "delete", "secret", "csp-operator-webhook-cert",
           "--ignore-not-found"});
  StartWithWebhook({"--webhook-ca-lifetime-seconds=90", "--webhook-cert-lifetime-seconds=30"});
  ASSERT_TRUE(WaitEnforced(policy));

  auto config = kube::LoadKubeconfig(Kubeconfig());
  ASSERT_TRUE(config) << config.error().message;
  constexpr int kClients = 5;
  constexpr auto kPerClient = 100ms;  // 10 creates a second each
  constexpr auto kRun = 150s;
  std::atomic<int> admitted{0}, refused{0};
  std::vector<std::string> failures;
  std::mutex mu;
  std::vector<std::jthread> clients;
  for (int c = 0; c < kClients; ++c) {
    auto transport = kube::NewCpprestTransport(*config);
    ASSERT_TRUE(transport) << transport.error().message;
    auto client =
        std::make_shared<kube::Client>(std::move(*transport), *config,
                                       kube::ClientOptions{.qps = 0, .retry = {.max_attempts = 1}});
    clients.emplace_back([&, client, c](std::stop_token stop) {
      const kube::ResourceRef pods{"", "v1", "pods", true};
      int i = 0;
      while (!stop.stop_requested()) {
        const auto next = std::chrono::steady_clock::now() + kPerClient;
        // Compliant and violating in turn: both answers must keep coming from the webhook.
        const bool bad = (i++ % 2) == 1;
        const json pod =
            PodObject("load-" + std::to_string(c) + "-" + std::to_string(i), PodSpec(bad));
        auto created = client->Create(pods, ns(), pod, /*dry_run=*/true);
        if (created && !bad) {
          ++admitted;
        } else if (!created && bad && created.error().message.find(policy) != std::string::npos) {
          ++refused;
        } else {
          std::lock_guard lock(mu);
          failures.push_back(created ? "a violating Pod was admitted" : created.error().message);
        }
        std::this_thread::sleep_until(next);
      }
    });
  }
  // Every distinct serving certificate and CA bundle seen while the load runs.
  std::set<std::string> serving, bundles;
  const auto end = std::chrono::steady_clock::now() + kRun;
  while (std::chrono::steady_clock::now() < end) {
    auto secret = TryGet("secrets", kOperatorNamespace, "csp-operator-webhook-cert");
    if (secret) {
      serving.insert((*secret)["data"].value("tls.crt", std::string()));
      bundles.insert((*secret)["data"].value("ca.crt", std::string()));
    }
    std::this_thread::sleep_for(1s);
  }
  for (auto& t : clients) t.request_stop();
  clients.clear();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed admissions, first: "
                                << (failures.empty() ? "" : failures.front());
  EXPECT_GT(admitted.load(), 1000);
  EXPECT_GT(refused.load(), 1000);
  // The rotation happened: several serving certificates, and the CA bundle changed (new CA
  // added, old one dropped).
  EXPECT_GE(serving.size(), 4u);
  EXPECT_GE(bundles.size(), 2u);
}

}  // namespace
}  // namespace csp::e2e
