// The ValidatingAdmissionPolicy path of admission against the real kube-apiserver
// (docs/admission.md "ValidatingAdmissionPolicy"): for a policy with admissionMode
// ValidatingAdmissionPolicy the operator generates a VAP and binding that the API server runs
// itself (CEL), and keeps the webhook for the objects CEL cannot judge exactly.
//
// The table below holds controls.md's edge cases. Each object goes through the webhook (mode
// Webhook), through the generated VAP (mode ValidatingAdmissionPolicy) and through `cspctl scan`;
// all three must agree on every object the API server itself accepts.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "csp/common/rfc3339.h"
#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kVap[] = "validatingadmissionpolicies.admissionregistration.k8s.io";
constexpr char kBinding[] = "validatingadmissionpolicybindings.admissionregistration.k8s.io";
constexpr auto kFollows = 30s;
constexpr char kDigest[] =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// What admission made of one object.
enum class Answer { kAdmitted, kRefused, kInvalid };
std::string Name(Answer a) {
  return a == Answer::kAdmitted ? "admitted" : a == Answer::kRefused ? "refused" : "invalid";
}

// The pod of every case before its edit: passes every control of the policy below.
json GoodPod() {
  return {{"terminationGracePeriodSeconds", 0},
          {"securityContext",
           {{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
          {"containers",
           {{{"name", "app"},
             {"image", std::string("ghcr.io/acme/app@") + kDigest},
             {"securityContext", {{"capabilities", {{"drop", {"ALL"}}}}}}}}}};
}

json& App(json& pod) { return pod["containers"][0]; }
json& AppSc(json& pod) { return App(pod)["securityContext"]; }

json Init(json sc) {
  return {{"name", "setup"},
          {"image", std::string("ghcr.io/acme/setup@") + kDigest},
          {"securityContext", std::move(sc)}};
}

json HostPathPod(const std::string& path, std::optional<bool> mount_read_only) {
  json pod = GoodPod();
  pod["volumes"] = {{{"name", "host"}, {"hostPath", {{"path", path}}}}};
  if (mount_read_only) {
    App(pod)["volumeMounts"] = {
        {{"name", "host"}, {"mountPath", "/host"}, {"readOnly", *mount_read_only}}};
  }
  return pod;
}

struct Case {
  std::string name;  // the object's name, a DNS label
  std::string kind;  // Pod, Deployment or CronJob
  json pod;
  json annotations = json::object();  // of the pod (template)
  json owner = nullptr;               // a controller ownerReference of a Pod
};

// controls.md's edges; the policy is EdgePolicySpec's.
std::vector<Case> EdgeCases() {
  std::vector<Case> cases;
  auto add = [&](std::string name, std::function<void(json&)> edit, std::string kind = "Pod") {
    json pod = GoodPod();
    edit(pod);
    cases.push_back({std::move(name), std::move(kind), std::move(pod)});
  };
  add("compliant", [](json&) {});
  add(
      "compliant-deployment", [](json&) {}, "Deployment");
  add("privileged", [](json& p) { AppSc(p)["privileged"] = true; });
  add(
      "privileged-deployment", [](json& p) { AppSc(p)["privileged"] = true; }, "Deployment");
  add(
      "privileged-cronjob", [](json& p) { AppSc(p)["privileged"] = true; }, "CronJob");
  add("privileged-init", [](json& p) {
    p["initContainers"] = {Init({{"privileged", true}, {"capabilities", {{"drop", {"ALL"}}}}})};
  });
  add("exempt-privileged", [](json& p) { AppSc(p)["privileged"] = true; });
  // Seccomp resolves container-first, as a whole object.
  add("seccomp-container-unconfined", [](json& p) {
    AppSc(p)["seccompProfile"] = {{"type", "Unconfined"}};
  });
  add("seccomp-pod-unconfined-container-default", [](json& p) {
    p["securityContext"]["seccompProfile"] = {{"type", "Unconfined"}};
    AppSc(p)["seccompProfile"] = {{"type", "RuntimeDefault"}};
  });
  add("seccomp-unset", [](json& p) { p["securityContext"].erase("seccompProfile"); });
  add("seccomp-init-unset", [](json& p) {
    p["securityContext"].erase("seccompProfile");
    AppSc(p)["seccompProfile"] = {{"type", "RuntimeDefault"}};
    p["initContainers"] = {Init({{"capabilities", {{"drop", {"ALL"}}}}})};
  });
  add("seccomp-localhost-not-ours", [](json& p) {
    AppSc(p)["seccompProfile"] = {{"type", "Localhost"}, {"localhostProfile", "profiles/x.json"}};
  });
  // AppArmor: the field wins over the annotation; the annotation counts when no field is set.
  add("apparmor-pod-unconfined", [](json& p) {
    p["securityContext"]["appArmorProfile"] = {{"type", "Unconfined"}};
  });
  add("apparmor-container-default-over-pod-unconfined", [](json& p) {
    p["securityContext"]["appArmorProfile"] = {{"type", "Unconfined"}};
    AppSc(p)["appArmorProfile"] = {{"type", "RuntimeDefault"}};
  });
  add("apparmor-annotation-unconfined", [](json&) {});
  cases.back().annotations = {{"container.apparmor.security.beta.kubernetes.io/app", "unconfined"}};
  add("apparmor-annotation-default", [](json&) {});
  cases.back().annotations = {
      {"container.apparmor.security.beta.kubernetes.io/app", "runtime/default"}};
  add("apparmor-annotation-other-container", [](json&) {});
  cases.back().annotations = {
      {"container.apparmor.security.beta.kubernetes.io/sidecar", "unconfined"}};
  // Capabilities: case-insensitive, optional CAP_, ALL in any spelling.
  add("caps-add-all", [](json& p) { AppSc(p)["capabilities"]["add"] = {"ALL"}; });
  add("caps-add-cap-all", [](json& p) { AppSc(p)["capabilities"]["add"] = {"cap_all"}; });
  add("caps-add-sys-admin", [](json& p) { AppSc(p)["capabilities"]["add"] = {"cap_sys_admin"}; });
  add("caps-add-allowed",
      [](json& p) { AppSc(p)["capabilities"]["add"] = {"CAP_NET_BIND_SERVICE"}; });
  add("caps-drop-lower-all", [](json& p) { AppSc(p)["capabilities"]["drop"] = {"all"}; });
  add("caps-no-drop", [](json& p) { AppSc(p).erase("capabilities"); });
  // Non-root, literally.
  add("root-user", [](json& p) { AppSc(p)["runAsUser"] = 0; });
  add("nonroot-false-user-1000", [](json& p) {
    p["securityContext"].erase("runAsNonRoot");
    AppSc(p)["runAsNonRoot"] = false;
    AppSc(p)["runAsUser"] = 1000;
  });
  add("nonroot-container-false", [](json& p) { AppSc(p)["runAsNonRoot"] = false; });
  // Host paths: normalization, whole components, read-only prefixes, runtime sockets.
  cases.push_back({"hostpath-log-readonly", "Pod", HostPathPod("/var/log//app/./", true)});
  cases.push_back({"hostpath-log-writable", "Pod", HostPathPod("/var/log/app", false)});
  cases.push_back({"hostpath-log-unmounted", "Pod", HostPathPod("/var/log", std::nullopt)});
  cases.push_back({"hostpath-logs-sibling", "Pod", HostPathPod("/var/logs", true)});
  cases.push_back({"hostpath-relative", "Pod", HostPathPod("var/log", true)});
  cases.push_back({"hostpath-dotdot", "Pod", HostPathPod("/var/log/../run", true)});
  cases.push_back({"hostpath-run-containerd", "Pod", HostPathPod("/run/containerd//", false)});
  cases.push_back({"hostpath-run-containerd-d", "Pod", HostPathPod("/run/containerd.d", false)});
  cases.push_back({"hostpath-var-run", "Pod", HostPathPod("/var/run", false)});
  cases.push_back({"hostpath-socket", "Pod", HostPathPod("/run/containerd/containerd.sock", true)});
  cases.push_back({"hostpath-root", "Pod", HostPathPod("/", true)});
  // Images: digests and registries, normalized.
  add("image-no-digest", [](json& p) { App(p)["image"] = "ghcr.io/acme/app:1.0"; });
  add("image-hub-short", [](json& p) { App(p)["image"] = std::string("nginx@") + kDigest; });
  add("image-hub-alias",
      [](json& p) { App(p)["image"] = std::string("index.docker.io/library/nginx@") + kDigest; });
  add("image-hub-other-namespace",
      [](json& p) { App(p)["image"] = std::string("bitnami/redis@") + kDigest; });
  add("image-prefix-not-component",
      [](json& p) { App(p)["image"] = std::string("ghcr.io/acmecorp/app@") + kDigest; });
  add("image-host-case",
      [](json& p) { App(p)["image"] = std::string("GHCR.io/acme/app@") + kDigest; });
  add("image-port-tag",
      [](json& p) { App(p)["image"] = std::string("ghcr.io:443/acme/app:1@") + kDigest; });
  add("image-short-digest", [](json& p) { App(p)["image"] = "ghcr.io/acme/app@sha256:abc"; });
  // Windows pods skip rules 2, 3 and 4.
  add("windows-no-seccomp", [](json& p) {
    p["os"] = {{"name", "windows"}};
    p["securityContext"].erase("seccompProfile");
    AppSc(p).erase("capabilities");
  });
  // Pod Security Standards controls (issue 14). Host namespaces and ports are pod-level or
  // per port; EdgePolicySpec allows host ports 9000-9100.
  for (const char* field : {"hostNetwork", "hostPID", "hostIPC"}) {
    std::string name = std::string("host-ns-") + field;
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    add(name, [field](json& p) { p[field] = true; });
  }
  add("host-ns-false", [](json& p) { p["hostPID"] = false; });
  add("host-port-allowed", [](json& p) {
    App(p)["ports"] = {{{"containerPort", 9050}, {"hostPort", 9050}}};
  });
  add("host-port-outside", [](json& p) {
    App(p)["ports"] = {{{"containerPort", 80}, {"hostPort", 9101}}};
  });
  add("host-port-two", [](json& p) {
    App(p)["ports"] = {{{"containerPort", 80}, {"hostPort", 8080}},
                       {{"containerPort", 81}, {"hostPort", 9000}},
                       {{"containerPort", 82}, {"hostPort", 8081}}};
  });
  add("host-port-container-only", [](json& p) { App(p)["ports"] = {{{"containerPort", 80}}}; });
  add("proc-mount-default", [](json& p) { AppSc(p)["procMount"] = "Default"; });
  add("proc-mount-unmasked", [](json& p) {
    p["hostUsers"] = false;
    AppSc(p)["procMount"] = "Unmasked";
  });
  add("host-process-false", [](json& p) {
    p["securityContext"]["windowsOptions"] = {{"hostProcess", false}};
  });
  add("selinux-container-t", [](json& p) {
    AppSc(p)["seLinuxOptions"] = {{"type", "container_t"}, {"level", "s0:c1,c2"}};
  });
  add("selinux-spc-t", [](json& p) { AppSc(p)["seLinuxOptions"] = {{"type", "spc_t"}}; });
  add("selinux-user", [](json& p) { AppSc(p)["seLinuxOptions"] = {{"user", "system_u"}}; });
  add("selinux-pod-role", [](json& p) {
    p["securityContext"]["seLinuxOptions"] = {{"role", "sysadm_r"}};
    AppSc(p)["seLinuxOptions"] = {{"type", "container_t"}};
  });
  add("selinux-init-type", [](json& p) {
    p["initContainers"] = {Init(
        {{"capabilities", {{"drop", {"ALL"}}}}, {"seLinuxOptions", {{"type", "unconfined_t"}}}})};
  });
  add("sysctl-safe", [](json& p) {
    p["securityContext"]["sysctls"] = {{{"name", "net.ipv4.tcp_syncookies"}, {"value", "1"}}};
  });
  add("sysctl-unsafe", [](json& p) {
    p["securityContext"]["sysctls"] = {{{"name", "net.ipv4.tcp_syncookies"}, {"value", "1"}},
                                       {{"name", "kernel.msgmax"}, {"value", "65536"}}};
  });
  // EdgePolicySpec allows hostPath, emptyDir, secret, configMap and projected volumes (the
  // service account admission adds a projected one before the webhook and the VAP see the Pod).
  add("volume-empty-dir", [](json& p) {
    p["volumes"] = {{{"name", "scratch"}, {"emptyDir", json::object()}}};
  });
  add("volume-no-source", [](json& p) { p["volumes"] = {{{"name", "scratch"}}}; });
  add("volume-nfs", [](json& p) {
    p["volumes"] = {{{"name", "share"}, {"nfs", {{"server", "nfs.example"}, {"path", "/x"}}}}};
  });
  add("volume-pvc", [](json& p) {
    p["volumes"] = {{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data"}}}}};
  });
  // disallow-privilege-escalation judges only the ape-* cases (EdgePolicySpec's exemption).
  add("ape-unset", [](json&) {});
  add("ape-false", [](json& p) { AppSc(p)["allowPrivilegeEscalation"] = false; });
  add("ape-true", [](json& p) { AppSc(p)["allowPrivilegeEscalation"] = true; });
  add("ape-init-unset", [](json& p) {
    AppSc(p)["allowPrivilegeEscalation"] = false;
    p["initContainers"] = {Init({{"capabilities", {{"drop", {"ALL"}}}}})};
  });
  add("ape-windows-unset", [](json& p) {
    p["os"] = {{"name", "windows"}};
    p["securityContext"].erase("seccompProfile");
    AppSc(p).erase("capabilities");
  });
  // A Pod with a controller owner the policy cannot see past in CEL (its exemptions name
  // workloads): the webhook judges it whole.
  add("owned-privileged", [](json& p) { AppSc(p)["privileged"] = true; });
  cases.back().owner = {{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"},
                        {"name", "plain-rs"},      {"uid", "7d1c6f0e-0000-4000-8000-000000000001"},
                        {"controller", true},      {"blockOwnerDeletion", false}};
  add("owned-compliant", [](json&) {});
  cases.back().owner = cases[cases.size() - 2].owner;
  return cases;
}

// The objects disallow-privilege-escalation does not judge: every case but ape-*, and the
// other Pods this file creates.
json NotApeNames() {
  // plain-rs: the owner the owned-* Pods are judged as.
  json names = {"debug-target", "ephemeral-privileged", "probe", "exempt-priv", "plain-rs"};
  for (const Case& c : EdgeCases()) {
    if (c.name.rfind("ape-", 0) != 0) names.push_back(c.name);
  }
  return names;
}

json EdgePolicySpec(const std::string& ns) {
  return {
      {"match", {{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns}}}}}}},
      {"admission", "Deny"},
      {"controls",
       {{"capabilities", {{"requireDropAll", true}}},
        {"hostPath",
         {{"allowed",
           {{{"pathPrefix", "/var/log"}, {"readOnly", true}}, {{"pathPrefix", "/run"}}}}}},
        {"imageSignature",
         {{"enabled", true},
          {"requireDigest", true},
          {"allowedRegistries", {"ghcr.io/acme", "ghcr.io:443/acme", "docker.io/library"}}}},
        {"hostPorts", {{"allowed", {"9000-9100"}}}},
        {"privilegeEscalation", {{"enabled", true}}},
        {"volumeTypes",
         {{"enabled", true},
          {"allowed", {"hostPath", "emptyDir", "secret", "configMap", "projected"}}}}}},
      {"exemptions",
       {{{"rules", {"disallow-privileged"}},
         {"names", {"exempt-*"}},
         {"reason", "the table's exempted case"}},
        {{"rules", {"disallow-privilege-escalation"}},
         {"names", NotApeNames()},
         {"reason", "the cases before it leave allowPrivilegeEscalation unset"}}}}};
}

json ObjectOf(const Case& c) {
  json object;
  if (c.kind == "Deployment") {
    object = DeploymentObject(c.name, 1, c.pod);
  } else if (c.kind == "CronJob") {
    object = CronJobObject(c.name, c.pod);
  } else {
    object = PodObject(c.name, c.pod);
  }
  json* meta = c.kind == "Pod" ? &object["metadata"]
               : c.kind == "CronJob"
                   ? &object["spec"]["jobTemplate"]["spec"]["template"]["metadata"]
                   : &object["spec"]["template"]["metadata"];
  if (!c.annotations.empty()) (*meta)["annotations"] = c.annotations;
  if (!c.owner.is_null()) object["metadata"]["ownerReferences"] = {c.owner};
  return object;
}

class OperatorVapTest : public WebhookOperatorTest {
 protected:
  // A server-side dry run of `object`: whether admission let it in, and who refused it.
  Answer Admit(const json& object, std::string* why) {
    CommandResult r = Kubectl({"create", "-n", ns(), "--dry-run=server", "-f", "-"}, object.dump());
    *why = r.err;
    if (r.exit_code == 0) return Answer::kAdmitted;
    if (Contains(r.err, "is invalid")) return Answer::kInvalid;  // the API server's own validation
    return Answer::kRefused;
  }

  // kubectl debug's request: the Pod with an ephemeral container, PUT to its subresource.
  Answer AdmitEphemeral(const std::string& pod, const json& container, std::string* why) {
    json object = KubectlJson({"-n", ns(), "get", "pod", pod});
    object["spec"]["ephemeralContainers"] = {container};
    CommandResult r =
        Kubectl({"replace", "--raw",
                 "/api/v1/namespaces/" + ns() + "/pods/" + pod + "/ephemeralcontainers?dryRun=All",
                 "-f", "-"},
                object.dump());
    *why = r.err;
    return r.exit_code == 0 ? Answer::kAdmitted : Answer::kRefused;
  }

  void SetMode(const std::string& policy, const std::string& mode) {
    CommandResult r = Kubectl({"patch", "containersecuritypolicy", policy, "--type=merge", "-p",
                               json{{"spec", {{"admissionMode", mode}}}}.dump()});
    ASSERT_EQ(r.exit_code, 0) << r;
  }

  // Until a privileged probe is refused by `who` ("ValidatingAdmissionPolicy" or "webhook").
  ::testing::AssertionResult WaitRefusedBy(const std::string& who) {
    json probe = GoodPod();
    AppSc(probe)["privileged"] = true;
    std::string why;
    if (Eventually(
            [&] {
              return Admit(PodObject("probe", probe), &why) == Answer::kRefused &&
                     Contains(why, who);
            },
            kFollows)) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "a privileged Pod is not refused by " << who << ": " << why;
  }
};

TEST_F(OperatorVapTest, EdgeCasesAgreeAcrossWebhookVapAndScan) {
  ASSERT_NE(StartWithWebhook(), nullptr);
  const json spec = EdgePolicySpec(ns());
  const std::string policy = CreatePolicy("vap-edges", spec);
  const std::vector<Case> cases = EdgeCases();

  // A compliant Pod to attach ephemeral containers to (kubectl debug).
  json base = GoodPod();
  ASSERT_EQ(
      Kubectl({"create", "-n", ns(), "-f", "-"}, PodObject("debug-target", base).dump()).exit_code,
      0);
  json ephemeral = {{"name", "debugger"},
                    {"image", std::string("ghcr.io/acme/debug@") + kDigest},
                    {"securityContext", {{"privileged", true}}}};

  std::map<std::string, Answer> webhook, vap, scan;
  std::map<std::string, std::string> webhook_why, vap_why;

  ASSERT_TRUE(WaitRefusedBy("admission webhook"));
  for (const Case& c : cases) webhook[c.name] = Admit(ObjectOf(c), &webhook_why[c.name]);
  webhook["ephemeral-privileged"] = AdmitEphemeral("debug-target", ephemeral, &webhook_why["x"]);

  SetMode(policy, "ValidatingAdmissionPolicy");
  ASSERT_TRUE(WaitRefusedBy("ValidatingAdmissionPolicy 'csp-" + policy + "'"));
  for (const Case& c : cases) vap[c.name] = Admit(ObjectOf(c), &vap_why[c.name]);
  vap["ephemeral-privileged"] = AdmitEphemeral("debug-target", ephemeral, &vap_why["x"]);

  // The VAP judged the objects it can; the webhook those it defers (a controller owner).
  EXPECT_TRUE(Contains(vap_why["privileged"], "ValidatingAdmissionPolicy"))
      << vap_why["privileged"];
  EXPECT_TRUE(Contains(vap_why["owned-privileged"], "deny-deferred.containersecurity.dev"))
      << vap_why["owned-privileged"];
  EXPECT_TRUE(Contains(vap_why["x"], "ValidatingAdmissionPolicy")) << vap_why["x"];

  // cspctl scan over the same objects and policy: a workload with any failing rule is refused.
  const std::string dir = ::testing::TempDir() + "/vap-edges-" + ns();
  std::filesystem::create_directories(dir);
  {
    std::ofstream policy_file(dir + "/policy.json");
    policy_file << PolicyObject(policy, spec).dump();
    std::ofstream objects(dir + "/objects.json");
    json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", json::array()}};
    for (const Case& c : cases) {
      json object = ObjectOf(c);
      object["metadata"]["namespace"] = ns();
      list["items"].push_back(std::move(object));
    }
    json debug = PodObject("ephemeral-privileged", base);
    debug["metadata"]["namespace"] = ns();
    debug["spec"]["ephemeralContainers"] = {ephemeral};
    list["items"].push_back(debug);
    objects << list.dump();
    std::ofstream ns_file(dir + "/namespace.json");
    ns_file
        << json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns()}}}}.dump();
  }
  CommandResult scanned =
      Run({BuildDir() + "/operator/cmd/scan/cspctl", "scan", "-o", "json", "--policy",
           dir + "/policy.json", dir + "/namespace.json", dir + "/objects.json"});
  ASSERT_NE(scanned.exit_code, 2) << scanned;
  const json reports = json::parse(scanned.out);  // held: the loop reads into it
  for (const json& report : reports["items"]) {
    for (const json& result : report["results"]) {
      const std::string name = result["resources"][0]["name"];
      if (!scan.contains(name)) scan[name] = Answer::kAdmitted;
      if (result["result"] == "fail") scan[name] = Answer::kRefused;
    }
  }

  int refused = 0, admitted = 0;
  for (const auto& [name, by_webhook] : webhook) {
    SCOPED_TRACE(name + ": webhook " + webhook_why[name] + " vap " + vap_why[name]);
    EXPECT_EQ(Name(vap[name]), Name(by_webhook));
    if (by_webhook == Answer::kInvalid) continue;  // the API server refused it before admission
    ASSERT_TRUE(scan.contains(name));
    EXPECT_EQ(Name(scan[name]), Name(by_webhook));
    ++(by_webhook == Answer::kRefused ? refused : admitted);
  }
  // The table means something only with both answers in it.
  EXPECT_GE(refused, 20);
  EXPECT_GE(admitted, 10);
  EXPECT_EQ(webhook["hostpath-dotdot"], Answer::kInvalid) << webhook_why["hostpath-dotdot"];
}

TEST_F(OperatorVapTest, StatusSaysWhereRulesRunAndTheObjectsFollowTheMode) {
  ASSERT_NE(StartWithWebhook(), nullptr);
  json spec = EdgePolicySpec(ns());
  spec["admissionMode"] = "ValidatingAdmissionPolicy";
  const std::string policy = CreatePolicy("vap-status", spec);
  const std::string name = "csp-" + policy;
  ASSERT_TRUE(
      Eventually([&] { return TryGet(kVap, "", name) && TryGet(kBinding, "", name); }, kFollows));
  json status;
  ASSERT_TRUE(Eventually(
      [&] {
        auto object = TryGet("containersecuritypolicy", "", policy);
        if (!object) return false;
        status = object->value("/status/admission"_json_pointer, json());
        return !status.is_null();
      },
      kFollows));
  EXPECT_EQ(status["mode"], "ValidatingAdmissionPolicy");
  EXPECT_EQ(status["validatingAdmissionPolicy"], name);
  ASSERT_EQ(status["rules"].size(), 17u) << status;  // every control: EdgePolicySpec enables all
  for (const json& r : status["rules"]) EXPECT_EQ(r["runsIn"], "ValidatingAdmissionPolicy") << r;
  EXPECT_FALSE(status["webhookJudgesWhole"].empty()) << status;

  // Signature keys: verification is not CEL; the webhook takes the whole policy and the VAP goes.
  CommandResult keys =
      Kubectl({"patch", "containersecuritypolicy", policy, "--type=merge", "-p",
               json{{"spec",
                     {{"controls",
                       {{"imageSignature",
                         {{"keys",
                           {{{"name", "release"},
                             {"secretRef",
                              {{"namespace", ns()}, {"name", "k"}, {"key", "cosign.pub"}}}}}}}}}}}}}
                   .dump()});
  ASSERT_EQ(keys.exit_code, 0) << keys;
  EXPECT_TRUE(
      Eventually([&] { return !TryGet(kVap, "", name) && !TryGet(kBinding, "", name); }, kFollows));
  ASSERT_TRUE(Eventually(
      [&] {
        auto object = TryGet("containersecuritypolicy", "", policy);
        status = object ? object->value("/status/admission"_json_pointer, json()) : json();
        const json rules = status.value("rules", json::array());
        return rules.size() == 17u && std::any_of(rules.begin(), rules.end(), [](const json& r) {
                 return r["rule"] == "require-image-signature" && r["runsIn"] == "Webhook";
               });
      },
      kFollows))
      << status;
  EXPECT_TRUE(Contains(status["webhookJudgesWhole"][0], "require-image-signature")) << status;
  ASSERT_TRUE(WaitRefusedBy("deny.containersecurity.dev"));
}

TEST_F(OperatorVapTest, AnExpiredExemptionStopsApplyingInTheVap) {
  ASSERT_NE(StartWithWebhook(), nullptr);
  json spec = EdgePolicySpec(ns());
  spec["admissionMode"] = "ValidatingAdmissionPolicy";
  const auto expires =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 25s;
  spec["exemptions"][0]["expires"] = FormatRfc3339(expires);
  const std::string policy = CreatePolicy("vap-expiry", spec);
  ASSERT_TRUE(WaitRefusedBy("ValidatingAdmissionPolicy 'csp-" + policy + "'"));

  json pod = GoodPod();
  AppSc(pod)["privileged"] = true;
  std::string why;
  EXPECT_EQ(Name(Admit(PodObject("exempt-priv", pod), &why)), "admitted") << why;
  // After `expires` the operator generates the VAP again without the exemption.
  EXPECT_TRUE(Eventually(
      [&] {
        return Admit(PodObject("exempt-priv", pod), &why) == Answer::kRefused &&
               Contains(why, "ValidatingAdmissionPolicy");
      },
      60s))
      << why;
  EXPECT_GE(std::chrono::system_clock::now(), expires);
}

}  // namespace
}  // namespace csp::e2e
