// The compact cache value: evaluating it gives exactly the results of the whole object, and it
// is much smaller than a realistic object.
#include "csp/controllers/compact_workload.h"

#include <gtest/gtest.h>

#include <deque>

#include "test_util.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;

// A Deployment as the API server returns it: managedFields, status, env, probes, resources.
json RealisticDeployment() {
  return json::parse(R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "shop", "uid": "6f1c", "generation": 7,
    "resourceVersion": "91234", "creationTimestamp": "2026-01-02T03:04:05Z",
    "labels": {"app": "web", "tier": "frontend"},
    "annotations": {"deployment.kubernetes.io/revision": "7",
      "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"web\"},\"name\":\"web\",\"namespace\":\"shop\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"image\":\"registry.example.com/shop/web:1.4.2\",\"name\":\"web\"}]}}}}"},
    "managedFields": [
      {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1",
       "time": "2026-01-02T03:04:05Z", "fieldsType": "FieldsV1",
       "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}, "f:labels": {".": {}, "f:app": {}}},
         "f:spec": {"f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {}, "f:selector": {}, "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}},
           "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:resources": {}, "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}}, "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {}, "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}}}}},
      {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
       "time": "2026-01-02T03:05:00Z", "fieldsType": "FieldsV1", "subresource": "status",
       "fieldsV1": {"f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}, "f:status": {"f:availableReplicas": {}, "f:conditions": {}, "f:observedGeneration": {}, "f:readyReplicas": {}, "f:replicas": {}, "f:updatedReplicas": {}}}}]},
  "spec": {"replicas": 3, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
    "selector": {"matchLabels": {"app": "web"}},
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
    "template": {
      "metadata": {"labels": {"app": "web"},
        "annotations": {"container.apparmor.security.beta.kubernetes.io/web": "runtime/default",
                        "prometheus.io/scrape": "true"}},
      "spec": {
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [{"name": "migrate", "image": "registry.example.com/shop/migrate:1.4.2",
          "command": ["/migrate", "--up"], "env": [{"name": "DB", "value": "postgres://db:5432/shop"}],
          "securityContext": {"capabilities": {"drop": ["ALL"]}},
          "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}}],
        "containers": [{"name": "web", "image": "registry.example.com/shop/web:1.4.2",
          "imagePullPolicy": "IfNotPresent", "ports": [{"containerPort": 8080, "protocol": "TCP"}],
          "env": [{"name": "MODE", "value": "production"}, {"name": "LOG_LEVEL", "value": "info"},
                  {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
          "resources": {"limits": {"cpu": "1", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
          "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
          "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}, "periodSeconds": 5},
          "securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}, "privileged": true},
          "volumeMounts": [{"name": "logs", "mountPath": "/var/log/web"},
                           {"name": "config", "mountPath": "/etc/web", "readOnly": true}],
          "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
        "volumes": [{"name": "logs", "hostPath": {"path": "/var/log/web", "type": "DirectoryOrCreate"}},
                    {"name": "config", "configMap": {"name": "web-config", "defaultMode": 420}}],
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}],
        "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}}]}},
        "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30}}},
  "status": {"observedGeneration": 7, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
    "conditions": [{"type": "Available", "status": "True", "lastUpdateTime": "2026-01-02T03:05:00Z", "lastTransitionTime": "2026-01-02T03:05:00Z", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
                   {"type": "Progressing", "status": "True", "lastUpdateTime": "2026-01-02T03:05:00Z", "lastTransitionTime": "2026-01-02T03:04:05Z", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet \"web-7d9f8\" has successfully progressed."}]}
})");
}

json Cron() {
  json spec = test::GoodPodSpec();
  spec["containers"][0]["securityContext"]["runAsUser"] = 0;
  spec["volumes"] = {
      {{"name", "sock"}, {"hostPath", {{"path", "/run/containerd/containerd.sock"}}}}};
  spec["containers"][0]["volumeMounts"] = {{{"name", "sock"}, {"mountPath", "/sock"}}};
  json o = test::MakeWorkload("CronJob", "nightly", spec, {{"schedule", "@daily"}},
                              {{"labels", {{"app", "batch"}}}});
  o["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["annotations"] = {
      {"container.apparmor.security.beta.kubernetes.io/app", "localhost/missing-name"}};
  o["spec"]["jobTemplate"]["spec"]["backoffLimit"] = 3;
  return o;
}

json WindowsPod() {
  json spec = test::BadPodSpec();
  spec["os"] = {{"name", "windows"}};
  spec["ephemeralContainers"] = {{{"name", "debug"},
                                  {"image", "busybox"},
                                  {"securityContext", {{"capabilities", {{"add", {"SYS_ADMIN"}}}}}},
                                  {"stdin", true}}};
  return test::MakeWorkload(
      "Pod", "debug", spec, {{"nodeName", "n1"}},
      {{"annotations", {{"container.apparmor.security.beta.kubernetes.io/app", "unconfined"}}}});
}

json DaemonSet() {
  json spec = test::GoodPodSpec();
  spec["volumes"] = {{{"name", "varlog"}, {"hostPath", {{"path", "/var/log"}}}}, "junk"};
  spec["containers"][0]["volumeMounts"] = {
      {{"name", "varlog"}, {"mountPath", "/host/log"}, {"readOnly", true}}};
  spec["nodeSelector"] = {{"disk", "ssd"}};
  return test::MakeWorkload("DaemonSet", "agent", spec);
}

// Localhost profiles managed by csp-agent, so that the node-aware rules read nodeName and
// nodeSelector.
json WithCspProfiles(json spec) {
  spec["securityContext"]["seccompProfile"] = {{"type", "Localhost"},
                                               {"localhostProfile", "containersecurity/x.json"}};
  spec["securityContext"]["appArmorProfile"] = {{"type", "Localhost"},
                                                {"localhostProfile", "csp-default"}};
  return spec;
}

json Mistyped(std::string_view field, json value) {
  json o = test::MakeWorkload("StatefulSet", "db", test::GoodPodSpec());
  o["spec"]["template"]["spec"][std::string(field)] = std::move(value);
  return o;
}

json PodTemplate() {
  return {{"apiVersion", "v1"},
          {"kind", "PodTemplate"},
          {"metadata", {{"name", "tmpl"}, {"namespace", "default"}}},
          {"template", {{"spec", test::BadPodSpec()}, {"metadata", {{"labels", {{"a", "b"}}}}}}}};
}

struct Case {
  std::string name;
  json object;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class CompactWorkloadTest : public testing::TestWithParam<Case> {};

std::deque<policy::Policy> Policies() {
  std::deque<policy::Policy> out = {policy::DefaultPolicy()};
  // Every control the restricted preset enables (volume types, privilege escalation, ...).
  out.push_back(test::MakePolicy("restricted", R"({"podSecurityStandard":"restricted"})"));
  out.push_back(test::MakePolicy("strict", R"({
    "match": {"workloadSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}},
    "controls": {"appArmor": {"requireExplicit": true},
                 "hostPath": {"allowed": [{"pathPrefix": "/var/log", "readOnly": true}]},
                 "imageSignature": {"enabled": true, "requireDigest": true,
                                    "allowedRegistries": ["registry.example.com"]}}})"));
  return out;
}

// Two nodes without any profile: a lost nodeName or nodeSelector changes which nodes lack one.
const policy::NodeFacts& TestNodeFacts() {
  static const policy::NodeFacts facts{
      .nodes = {{.name = "n1", .labels = {{"disk", "ssd"}}}, {.name = "n2"}},
      .managed_apparmor = {"csp-default"}};
  return facts;
}

// Everything a result carries, as text, so that a difference shows; offline and with node facts.
std::string Describe(const Result<std::optional<policy::Workload>>& w,
                     const std::deque<policy::Policy>& policies) {
  if (!w) return "workload error: " + w.error().message;
  if (!w->has_value()) return "not a workload";
  const policy::Workload& wl = **w;
  std::string out = wl.ref.api_version + " " + wl.ref.kind + " " + wl.ref.ns + "/" + wl.ref.name +
                    " " + wl.ref.uid + " @" + wl.pod_spec_path + "\n";
  for (const policy::Policy& p : policies) {
    out += p.name + " matches=" + std::to_string(policy::Matches(p, wl, nullptr)) + "\n";
    for (const policy::NodeFacts* facts :
         {static_cast<const policy::NodeFacts*>(nullptr), &TestNodeFacts()}) {
      out += facts ? " with node facts:\n" : " offline:\n";
      auto results = policy::Evaluate(p, wl, {.now = test::Now(), .node_facts = facts});
      if (!results) {
        out += "  error: " + results.error().message + "\n";
        continue;
      }
      for (const policy::RuleResult& r : *results) {
        out += "  " + std::string(r.rule) + " " + std::string(policy::OutcomeName(r.outcome)) +
               " [" + r.severity + "] " + r.message + " {";
        for (const std::string& c : r.containers) out += c + ",";
        out += "} nodes {";
        for (const std::string& n : r.nodes) out += n + ",";
        out += "}\n";
      }
    }
  }
  return out;
}

TEST_P(CompactWorkloadTest, EvaluatesExactlyAsTheWholeObject) {
  const json& whole = GetParam().object;
  const json compact = CompactWorkload(whole);
  const std::deque<policy::Policy> policies = Policies();
  const std::string want = Describe(policy::AsWorkload(whole, "default"), policies);
  EXPECT_EQ(Describe(policy::AsWorkload(compact, "default"), policies), want);
  // Each case evaluates something, or fails as a malformed workload.
  EXPECT_TRUE(want.find("matches=1") != std::string::npos || want.starts_with("workload error"))
      << want;
  // Transforming twice changes nothing: the compact value is a fixed point.
  EXPECT_EQ(CompactWorkload(compact), compact);
  EXPECT_LE(compact.dump().size(), whole.dump().size());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CompactWorkloadTest,
    testing::ValuesIn(std::vector<Case>{
        {"realistic_deployment", RealisticDeployment()},
        {"cronjob_with_apparmor_annotation_and_socket", Cron()},
        {"windows_pod_with_ephemeral_container", WindowsPod()},
        {"daemonset_host_path_and_junk_volume", DaemonSet()},
        {"pod_on_a_node_with_csp_profiles",
         test::MakeWorkload("Pod", "web", WithCspProfiles(test::GoodPodSpec()),
                            {{"nodeName", "n1"}})},
        {"daemonset_node_selector_with_csp_profiles",
         test::MakeWorkload("DaemonSet", "agent", WithCspProfiles(test::GoodPodSpec()),
                            {{"template", {{"spec", {{"nodeSelector", {{"disk", "ssd"}}}}}}}})},
        {"pss_fields",
         [] {
           json spec = test::GoodPodSpec();
           spec["hostNetwork"] = true;
           spec["hostPID"] = true;
           spec["securityContext"]["sysctls"] = {{{"name", "kernel.msgmax"}, {"value", "1"}}};
           json& c = spec["containers"][0];
           c["ports"] = {{{"containerPort", 80}}, {{"containerPort", 443}, {"hostPort", 443}}};
           c["livenessProbe"] = {{"httpGet", {{"path", "/"}, {"host", "10.0.0.1"}}}};
           c["readinessProbe"] = {{"exec", {{"command", {"true"}}}}};
           c["lifecycle"] = {{"preStop", {{"tcpSocket", {{"host", "db"}, {"port", 5432}}}}}};
           c["securityContext"]["procMount"] = "Unmasked";
           spec["volumes"] = {{{"name", "cfg"}, {"configMap", {{"name", "x"}}}},
                              {{"name", "nfs"}, {"nfs", {{"server", "s"}, {"path", "/"}}}}};
           return test::MakeWorkload("Deployment", "pss", spec);
         }()},
        {"host_port_mistyped",
         Mistyped("containers", json::parse(R"([{"name":"a","ports":[{"hostPort":"80"}]}])"))},
        {"probe_mistyped",
         Mistyped("containers", json::parse(R"([{"name":"a","livenessProbe":{"httpGet":3}}])"))},
        {"node_name_mistyped", Mistyped("nodeName", 5)},
        {"node_selector_mistyped", Mistyped("nodeSelector", "disk=ssd")},
        {"containers_mistyped", Mistyped("containers", "web")},
        {"container_entry_mistyped", Mistyped("containers", json::array({42}))},
        {"security_context_mistyped", Mistyped("securityContext", json::array())},
        {"volumes_mistyped", Mistyped("volumes", 3)},
        {"pod_template", PodTemplate()},
        {"metadata_mistyped",
         [] {
           json o = test::MakeWorkload("Deployment", "web", test::GoodPodSpec());
           o["metadata"]["labels"] = "app=web";
           return o;
         }()},
    }),
    [](const auto& info) { return info.param.name; });

TEST(CompactWorkloadSizeTest, RealisticDeploymentIsAQuarterOrLess) {
  const json whole = RealisticDeployment();
  const std::size_t full = whole.dump().size();
  const std::size_t compact = CompactWorkload(whole).dump().size();
  EXPECT_LE(compact * 4, full) << compact << " of " << full << " bytes";
}

TEST(CompactWorkloadTest, KeepsOwnershipAndRemediationFields) {
  json o = RealisticDeployment();
  o["metadata"]["ownerReferences"] = {{{"kind", "X"}, {"name", "x"}, {"controller", true}}};
  const json c = CompactWorkload(o);
  EXPECT_EQ(c["metadata"]["ownerReferences"], o["metadata"]["ownerReferences"]);
  EXPECT_EQ(c["metadata"]["generation"], 7);
  EXPECT_EQ(c["metadata"]["resourceVersion"], "91234");
  EXPECT_EQ(c["spec"]["replicas"], 3);
  EXPECT_FALSE(c.contains("status"));
  EXPECT_FALSE(c["metadata"].contains("managedFields"));
  EXPECT_EQ(c["spec"]["selector"], o["spec"]["selector"]);
  EXPECT_EQ(c["spec"]["template"]["metadata"]["labels"],
            o["spec"]["template"]["metadata"]["labels"]);
  const json ds = CompactWorkload(DaemonSet());
  EXPECT_EQ(ds["spec"]["template"]["spec"]["nodeSelector"], json({{"disk", "ssd"}}));
  const json pod =
      CompactWorkload(test::MakeWorkload("Pod", "p", test::GoodPodSpec(), {{"nodeName", "n1"}}));
  EXPECT_EQ(pod["spec"]["nodeName"], "n1");
  // The registry credentials signature verification uses.
  json with_credentials = RealisticDeployment();
  json& template_spec = with_credentials["spec"]["template"]["spec"];
  template_spec["imagePullSecrets"] = {{{"name", "regcred"}}};
  template_spec["serviceAccountName"] = "builder";
  const json credentials = CompactWorkload(with_credentials)["spec"]["template"]["spec"];
  EXPECT_EQ(credentials["imagePullSecrets"], json({{{"name", "regcred"}}}));
  EXPECT_EQ(credentials["serviceAccountName"], "builder");
  const json cron = CompactWorkload(Cron());
  EXPECT_FALSE(cron["spec"]["jobTemplate"]["spec"].contains("backoffLimit"));
  EXPECT_EQ(CompactWorkload(json("text")), json("text"));
}

}  // namespace
}  // namespace csp::controllers
