// ParsePolicy: defaults of api.md, and every invalid field reported with its path, all at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "csp/policy/policy.h"
#include "csp/policy/signature_keys.h"
#include "csp/policy/text.h"
#include "test_util.h"

namespace csp::policy {
namespace {

using test::Json;
using test::PolicyDoc;

// The config of spec.controls.<key> in `policy`, or null.
const ControlConfig* ConfigFor(const Policy& policy, std::string_view key) {
  for (const ControlConfig& c : policy.controls) {
    if (c.control != nullptr && c.control->key == key) return &c;
  }
  ADD_FAILURE() << "no config for " << key;
  return nullptr;
}

void ExpectDefaults(const Policy& policy) {
  EXPECT_EQ(policy.action, Action::kAudit);
  EXPECT_EQ(policy.admission, Admission::kNone);
  EXPECT_TRUE(policy.exemptions.empty());
  EXPECT_FALSE(policy.match.namespace_selector.has_value());
  EXPECT_FALSE(policy.match.workload_selector.has_value());
  EXPECT_TRUE(policy.match.kinds.empty());
  EXPECT_TRUE(policy.match.exclude_namespaces.empty());
  // One config per registered control, in report order, with the registry's defaults (the
  // CRD and the docs are held to the same registry: crd_test.cc).
  const auto controls = AllControls();
  ASSERT_EQ(policy.controls.size(), controls.size());
  for (std::size_t i = 0; i < controls.size(); ++i) {
    const ControlConfig& c = policy.controls[i];
    SCOPED_TRACE(controls[i].key);
    EXPECT_EQ(c.control, &controls[i]);
    EXPECT_EQ(c.severity, controls[i].severity);
    EXPECT_EQ(c.enabled, controls[i].enabled_by_default);
    EXPECT_FALSE(c.action.has_value());
    EXPECT_NE(c.settings, nullptr);
  }
}

// Custom kinds (api.md "WorkloadKind") are named with their group.
TEST(ParsePolicyTest, MatchKindsTakesCustomKindsWithTheirGroup) {
  Result<Policy> policy = ParsePolicy(PolicyDoc(
      R"({"match":{"kinds":["Deployment","Rollout.argoproj.io","StatefulSet.apps.kruise.io"]}})"));
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->match.kinds, (std::vector<std::string>{"Deployment", "Rollout.argoproj.io",
                                                           "StatefulSet.apps.kruise.io"}));
}

TEST(ParsePolicyTest, MinimalPolicyGetsEveryDefault) {
  Result<Policy> policy = ParsePolicy(PolicyDoc());
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->name, "test");
  ExpectDefaults(*policy);
}

TEST(ParsePolicyTest, EmptySpecAndEmptyControlsGetEveryDefault) {
  Result<Policy> policy = ParsePolicy(PolicyDoc(R"({"controls":{},"match":{}})"));
  ASSERT_TRUE(policy) << policy.error().message;
  ExpectDefaults(*policy);
}

TEST(ParsePolicyTest, DefaultPolicyEnablesAllButImageSignature) {
  Policy policy = DefaultPolicy();
  ExpectDefaults(policy);
}

TEST(ParsePolicyTest, ReadsEveryField) {
  Result<Policy> policy = ParsePolicy(Json(R"json({
    "apiVersion":"containersecurity.dev/v1alpha1","kind":"ContainerSecurityPolicy",
    "metadata":{"name":"baseline","uid":"u-1","generation":3},
    "spec":{
      "match":{"namespaceSelector":{"matchLabels":{"env":"prod"}},"excludeNamespaces":["kube-system"],
               "workloadSelector":{"matchExpressions":[{"key":"app","operator":"Exists"}]},
               "kinds":["Deployment","Pod"]},
      "action":"ScaleDown","admission":"Deny","admissionMode":"ValidatingAdmissionPolicy",
      "remediation":{"suspendFlux":true},
      "controls":{
        "privileged":{"enabled":true,"severity":"low","action":"Isolate"},
        "seccomp":{"enabled":false},
        "appArmor":{"requireExplicit":true},
        "capabilities":{"allowed":["cap_net_raw","SYS_TIME"],"requireDropAll":true},
        "runAsNonRoot":{"severity":"info"},
        "runtimeSocket":{"paths":["/custom.sock"]},
        "hostPath":{"allowed":[{"pathPrefix":"/var/log","readOnly":true}]},
        "imageSignature":{"enabled":true,"requireDigest":true,"allowedRegistries":["ghcr.io/acme"],
                          "keys":[{"name":"k","secretRef":{"namespace":"n","name":"s","key":"k"}}]}},
      "exemptions":[{"rules":["require-non-root"],"namespaces":["legacy"],"kinds":["Deployment"],
                     "names":["db-*"],"reason":"vendor image (SEC-12)",
                     "expires":"2027-03-31T00:00:00Z"}]}})json"));
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->name, "baseline");
  EXPECT_EQ(policy->uid, "u-1");
  EXPECT_EQ(policy->generation, 3);
  EXPECT_EQ(policy->action, Action::kScaleDown);
  EXPECT_EQ(policy->admission, Admission::kDeny);
  EXPECT_EQ(policy->admission_mode, AdmissionMode::kValidatingAdmissionPolicy);
  EXPECT_TRUE(policy->match.namespace_selector.has_value());
  EXPECT_TRUE(policy->match.workload_selector.has_value());
  EXPECT_EQ(policy->match.exclude_namespaces, std::vector<std::string>{"kube-system"});
  EXPECT_EQ(policy->match.kinds, (std::vector<std::string>{"Deployment", "Pod"}));
  ASSERT_EQ(policy->controls.size(), AllControls().size());
  EXPECT_EQ(ConfigFor(*policy, "privileged")->severity, "low");
  EXPECT_EQ(ConfigFor(*policy, "privileged")->action, Action::kIsolate);
  EXPECT_TRUE(policy->remediation.suspend_flux);
  EXPECT_FALSE(ConfigFor(*policy, "seccomp")->enabled);
  EXPECT_EQ(ConfigFor(*policy, "runAsNonRoot")->severity, "info");
  EXPECT_TRUE(ConfigFor(*policy, "imageSignature")->enabled);
  ASSERT_EQ(policy->exemptions.size(), 1u);
  const Exemption& e = policy->exemptions[0];
  EXPECT_EQ(e.rules, std::vector<std::string>{"require-non-root"});
  EXPECT_EQ(e.namespaces, std::vector<std::string>{"legacy"});
  EXPECT_EQ(e.kinds, std::vector<std::string>{"Deployment"});
  EXPECT_EQ(e.names, std::vector<std::string>{"db-*"});
  EXPECT_EQ(e.reason, "vendor image (SEC-12)");
  EXPECT_EQ(e.expires, ParseRfc3339("2027-03-31T00:00:00Z"));
}

// The transparency-log settings reach the verifier as written; absent, nothing is required.
TEST(ParsePolicyTest, ReadsTransparencyLog) {
  Result<Policy> policy = ParsePolicy(PolicyDoc(R"({"controls":{"imageSignature":{
      "keys":[{"name":"release","publicKey":"-----BEGIN PUBLIC KEY-----\nA\n"}],
      "transparencyLog":{"required":true,"publicKeys":[
          {"name":"rekor","publicKey":"-----BEGIN PUBLIC KEY-----\nB\n"}]}}}})"));
  ASSERT_TRUE(policy) << policy.error().message;
  const TransparencyLogSpec tlog = TransparencyLog(*policy);
  EXPECT_TRUE(tlog.required);
  ASSERT_EQ(tlog.public_keys.size(), 1u);
  EXPECT_EQ(tlog.public_keys[0].name, "rekor");
  EXPECT_EQ(tlog.public_keys[0].public_key_pem, "-----BEGIN PUBLIC KEY-----\nB\n");
  policy = ParsePolicy(PolicyDoc());
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_FALSE(TransparencyLog(*policy).required);
  EXPECT_TRUE(TransparencyLog(*policy).public_keys.empty());
}

// --- Invalid policies ----------------------------------------------------------------------

struct InvalidCase {
  std::string name = {};
  std::string spec = {};                 // the policy's spec, JSON
  std::vector<std::string> errors = {};  // lines "path: message" (or a prefix) that must appear
};
void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

const InvalidCase kInvalidCases[] = {
    {"several_errors_at_once",
     R"({"controls":{"capabilities":{"allowed":["NET_RAW","SYS_TIME","SYS ADMIN"]}},
         "exemptions":[{"rules":[]}]})",
     {R"(spec.controls.capabilities.allowed[2]: "SYS ADMIN" is not a capability name)",
      "spec.exemptions[0].reason: required"}},
    {"unknown_spec_field", R"({"actions":"Audit"})", {"spec.actions: unknown field"}},
    {"unknown_control",
     R"({"controls":{"kernelModules":{"enabled":true}}})",
     {"spec.controls.kernelModules: unknown control"}},
    {"unknown_control_field",
     R"({"controls":{"privileged":{"allowed":[]}}})",
     {"spec.controls.privileged.allowed: unknown field"}},
    {"unknown_field_of_settings_control",
     R"({"controls":{"hostPath":{"paths":[]}}})",
     {"spec.controls.hostPath.paths: unknown field"}},
    {"bad_action",
     R"({"action":"Delete"})",
     {R"(spec.action: "Delete" is not one of Audit, Label, Isolate, ScaleDown)"}},
    {"remediation_not_an_object",
     R"({"remediation":true})",
     {"spec.remediation: expected an object, got boolean"}},
    {"remediation_unknown_field",
     R"({"remediation":{"suspendArgo":true}})",
     {"spec.remediation.suspendArgo: unknown field"}},
    {"remediation_suspend_flux_not_boolean",
     R"({"remediation":{"suspendFlux":"yes"}})",
     {"spec.remediation.suspendFlux: expected a boolean, got string"}},
    {"bad_admission",
     R"({"admission":"Block"})",
     {R"(spec.admission: "Block" is not one of None, Warn, Deny)"}},
    {"bad_admission_mode",
     R"({"admissionMode":"CEL"})",
     {R"(spec.admissionMode: "CEL" is not one of Webhook, ValidatingAdmissionPolicy)"}},
    {"bad_severity",
     R"({"controls":{"seccomp":{"severity":"urgent"}}})",
     {R"(spec.controls.seccomp.severity: "urgent" is not one of critical, high, medium, low, info)"}},
    {"severity_wrong_case",
     R"({"controls":{"seccomp":{"severity":"High"}}})",
     {R"(spec.controls.seccomp.severity: "High" is not one of)"}},
    {"bad_control_action",
     R"({"controls":{"privileged":{"action":"Kill"}}})",
     {R"(spec.controls.privileged.action: "Kill" is not one of Audit, Label, Isolate, ScaleDown)"}},
    {"bad_kind",
     R"({"match":{"kinds":["Deployment","CronJobs"]}})",
     {R"(spec.match.kinds[1]: "CronJobs" is not one of)"}},
    {"custom_kind_without_group",
     R"({"match":{"kinds":["Rollout","rollout.argoproj.io","Rollout.Argo"]}})",
     {R"(spec.match.kinds[0]: "Rollout" is not one of)",
      R"(spec.match.kinds[1]: "rollout.argoproj.io" is not one of)",
      R"(spec.match.kinds[2]: "Rollout.Argo" is not one of Pod, ReplicationController, PodTemplate, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, nor a custom kind with its group (Rollout.argoproj.io))"}},
    {"wrong_type_enabled",
     R"({"controls":{"privileged":{"enabled":"yes"}}})",
     {"spec.controls.privileged.enabled: expected a boolean, got string"}},
    {"wrong_type_control",
     R"({"controls":{"privileged":true}})",
     {"spec.controls.privileged: expected an object, got boolean"}},
    {"wrong_type_controls", R"({"controls":[]})", {"spec.controls: expected an object, got array"}},
    {"wrong_type_allowed",
     R"({"controls":{"capabilities":{"allowed":"NET_RAW"}}})",
     {"spec.controls.capabilities.allowed: expected an array, got string"}},
    {"wrong_type_allowed_item",
     R"({"controls":{"capabilities":{"allowed":[7]}}})",
     {"spec.controls.capabilities.allowed[0]: expected a string, got integer"}},
    {"wrong_type_require_drop_all",
     R"({"controls":{"capabilities":{"requireDropAll":1}}})",
     {"spec.controls.capabilities.requireDropAll: expected a boolean, got integer"}},
    {"wrong_type_require_explicit",
     R"({"controls":{"appArmor":{"requireExplicit":"true"}}})",
     {"spec.controls.appArmor.requireExplicit: expected a boolean, got string"}},
    {"wrong_type_exclude_namespaces",
     R"({"match":{"excludeNamespaces":"kube-system"}})",
     {"spec.match.excludeNamespaces: expected an array, got string"}},
    {"wrong_type_exemptions",
     R"({"exemptions":{}})",
     {"spec.exemptions: expected an array, got object"}},
    {"all_in_allowed",
     R"({"controls":{"capabilities":{"allowed":["NET_RAW","ALL"]}}})",
     {"spec.controls.capabilities.allowed[1]: ALL cannot be allowed"}},
    {"cap_all_in_allowed",
     R"({"controls":{"capabilities":{"allowed":["cap_all"]}}})",
     {"spec.controls.capabilities.allowed[0]: ALL cannot be allowed"}},
    {"relative_host_path_prefix",
     R"({"controls":{"hostPath":{"allowed":[{"pathPrefix":"/var/log"},{"pathPrefix":"var/lib"}]}}})",
     {R"(spec.controls.hostPath.allowed[1].pathPrefix: "var/lib" is not an absolute path)"}},
    {"windows_host_path_prefix",
     R"({"controls":{"hostPath":{"allowed":[{"pathPrefix":"C:\\logs"}]}}})",
     {R"(spec.controls.hostPath.allowed[0].pathPrefix: "C:\logs" is not an absolute path)"}},
    {"empty_host_path_prefix",
     R"({"controls":{"hostPath":{"allowed":[{"pathPrefix":""}]}}})",
     {"spec.controls.hostPath.allowed[0].pathPrefix: "}},
    {"missing_host_path_prefix",
     R"({"controls":{"hostPath":{"allowed":[{"readOnly":true}]}}})",
     {"spec.controls.hostPath.allowed[0].pathPrefix: required"}},
    {"unknown_host_path_prefix_field",
     R"({"controls":{"hostPath":{"allowed":[{"pathPrefix":"/x","readonly":true}]}}})",
     {"spec.controls.hostPath.allowed[0].readonly: unknown field"}},
    {"relative_runtime_socket_path",
     R"({"controls":{"runtimeSocket":{"paths":["docker.sock"]}}})",
     {R"(spec.controls.runtimeSocket.paths[0]: "docker.sock" is not an absolute path)"}},
    {"image_signature_enabled_nothing_to_check",
     R"({"controls":{"imageSignature":{"enabled":true}}})",
     {"spec.controls.imageSignature: enabled with nothing to check"}},
    {"image_signature_enabled_only_false_digest",
     R"({"controls":{"imageSignature":{"enabled":true,"requireDigest":false,
                                        "allowedRegistries":[],"keys":[]}}})",
     {"spec.controls.imageSignature: enabled with nothing to check"}},
    {"image_signature_key_without_source",
     R"({"controls":{"imageSignature":{"keys":[{"name":"k"}]}}})",
     {"spec.controls.imageSignature.keys[0]: exactly one of publicKey and secretRef is required"}},
    {"image_signature_key_not_pem",
     R"({"controls":{"imageSignature":{"keys":[{"name":"k","publicKey":"ssh-ed25519 AAAA"}]}}})",
     {"spec.controls.imageSignature.keys[0].publicKey: not a PEM public key"}},
    {"image_signature_secret_ref_incomplete",
     R"({"controls":{"imageSignature":{"keys":[{"name":"k","secretRef":{"name":"s"}}]}}})",
     {"spec.controls.imageSignature.keys[0].secretRef.namespace: required",
      "spec.controls.imageSignature.keys[0].secretRef.key: required"}},
    {"image_signature_tlog_required_without_keys",
     R"({"controls":{"imageSignature":{"transparencyLog":{"required":true}}}})",
     {"spec.controls.imageSignature.transparencyLog.publicKeys: required: true needs at least one "
      "Rekor public key"}},
    {"image_signature_tlog_required_empty_keys",
     R"({"controls":{"imageSignature":{"transparencyLog":{"required":true,"publicKeys":[]}}}})",
     {"spec.controls.imageSignature.transparencyLog.publicKeys: required: true needs"}},
    {"image_signature_tlog_bad_fields",
     R"({"controls":{"imageSignature":{"transparencyLog":{"required":"yes","url":"x",
         "publicKeys":[{"name":"r"},{"name":"r","publicKey":"ssh-ed25519 AAAA"},
                       {"publicKey":"-----BEGIN PUBLIC KEY-----","secretRef":{}}]}}}})",
     {"spec.controls.imageSignature.transparencyLog.required: expected a boolean, got string",
      "spec.controls.imageSignature.transparencyLog.url: unknown field",
      "spec.controls.imageSignature.transparencyLog.publicKeys[0].publicKey: required",
      "spec.controls.imageSignature.transparencyLog.publicKeys[1].name: duplicate name",
      "spec.controls.imageSignature.transparencyLog.publicKeys[1].publicKey: not a PEM public key",
      "spec.controls.imageSignature.transparencyLog.publicKeys[2].name: required",
      "spec.controls.imageSignature.transparencyLog.publicKeys[2].secretRef: unknown field"}},
    {"image_signature_tlog_not_object",
     R"({"controls":{"imageSignature":{"transparencyLog":[]}}})",
     {"spec.controls.imageSignature.transparencyLog: expected an object, got array"}},
    {"image_signature_empty_registry",
     R"({"controls":{"imageSignature":{"allowedRegistries":[""]}}})",
     {"spec.controls.imageSignature.allowedRegistries[0]: must not be empty"}},
    // Invalid fields are refused whether or not the control is enabled.
    {"disabled_control_still_validated",
     R"({"controls":{"imageSignature":{"enabled":false,"requireDigest":"yes","keys":{}},
                     "capabilities":{"enabled":false,"allowed":["ALL"]},
                     "hostPath":{"enabled":false,"allowed":[{"pathPrefix":"logs"}]}}})",
     {"spec.controls.imageSignature.requireDigest: expected a boolean, got string",
      "spec.controls.imageSignature.keys: expected an array, got object",
      "spec.controls.capabilities.allowed[0]: ALL cannot be allowed",
      R"(spec.controls.hostPath.allowed[0].pathPrefix: "logs" is not an absolute path)"}},
    {"image_signature_enabled_with_invalid_fields",
     R"({"controls":{"imageSignature":{"enabled":true,"requireDigest":"yes"}}})",
     {"spec.controls.imageSignature.requireDigest: expected a boolean, got string",
      "spec.controls.imageSignature: enabled with nothing to check"}},
    // Exemptions.
    {"exemption_reason_missing",
     R"({"exemptions":[{"names":["x"]}]})",
     {"spec.exemptions[0].reason: required"}},
    {"exemption_reason_empty",
     R"({"exemptions":[{"reason":""}]})",
     {"spec.exemptions[0].reason: required"}},
    {"exemption_unparsable_expires",
     R"({"exemptions":[{"reason":"r","expires":"tomorrow"}]})",
     {R"(spec.exemptions[0].expires: "tomorrow" is not an RFC 3339 date-time)"}},
    {"exemption_invalid_date",
     R"({"exemptions":[{"reason":"r","expires":"2027-02-30T00:00:00Z"}]})",
     {R"(spec.exemptions[0].expires: "2027-02-30T00:00:00Z" is not an RFC 3339 date-time)"}},
    {"exemption_unknown_rule",
     R"({"exemptions":[{"reason":"r","rules":["require-non-root","no-root"]}]})",
     {R"(spec.exemptions[0].rules[1]: "no-root" is not a rule id)"}},
    {"exemption_control_key_is_not_a_rule_id",
     R"({"exemptions":[{"reason":"r","rules":["privileged"]}]})",
     {R"(spec.exemptions[0].rules[0]: "privileged" is not a rule id)"}},
    {"exemption_unknown_field",
     R"({"exemptions":[{"reason":"r","workloads":["x"]}]})",
     {"spec.exemptions[0].workloads: unknown field"}},
    {"exemption_wrong_type_names",
     R"({"exemptions":[{"reason":"r","names":"db-*"}]})",
     {"spec.exemptions[0].names: expected an array, got string"}},
    {"second_exemption_reported",
     R"({"exemptions":[{"reason":"ok"},{"reason":"r","expires":5}]})",
     {"spec.exemptions[1].expires: expected a string, got integer"}},
    // Label selectors in match.
    {"namespace_selector_bad_operator",
     R"({"match":{"namespaceSelector":{"matchExpressions":[{"key":"env","operator":"Like","values":["a"]}]}}})",
     {R"(spec.match.namespaceSelector.matchExpressions[0].operator: "Like" is not one of In, NotIn, Exists, DoesNotExist)"}},
    {"workload_selector_in_without_values",
     R"({"match":{"workloadSelector":{"matchExpressions":[{"key":"app","operator":"In"}]}}})",
     {"spec.match.workloadSelector.matchExpressions[0].values: must be non-empty for operator In"}},
    {"workload_selector_exists_with_values",
     R"({"match":{"workloadSelector":{"matchExpressions":[{"key":"app","operator":"DoesNotExist","values":["x"]}]}}})",
     {"spec.match.workloadSelector.matchExpressions[0].values: must be empty for operator "
      "DoesNotExist"}},
};

class ParsePolicyInvalidTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(ParsePolicyInvalidTest, RefusesNamingEveryBadField) {
  Result<Policy> policy = ParsePolicy(PolicyDoc(GetParam().spec));
  ASSERT_FALSE(policy) << "accepted";
  EXPECT_EQ(policy.error().code, Code::kInvalidArgument);
  const std::string& message = policy.error().message;
  for (const std::string& want : GetParam().errors) {
    EXPECT_NE(message.find(want), std::string::npos) << "message:\n"
                                                     << message << "\nlacks: " << want;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ParsePolicyInvalidTest, testing::ValuesIn(kInvalidCases),
                         [](auto& info) { return info.param.name; });

// Each error is one line, so exactly the expected number of lines appear.
TEST(ParsePolicyTest, OneLinePerError) {
  Result<Policy> policy = ParsePolicy(PolicyDoc(
      R"({"action":"Nope","controls":{"capabilities":{"allowed":["SYS ADMIN"]},"bogus":{}},
          "exemptions":[{"rules":[]}]})"));
  ASSERT_FALSE(policy);
  const std::string& message = policy.error().message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 3) << message;
}

TEST(ParsePolicyTest, RefusesWrongEnvelope) {
  Result<Policy> policy =
      ParsePolicy(Json(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"namespace":"x"}})"));
  ASSERT_FALSE(policy);
  const std::string& message = policy.error().message;
  EXPECT_NE(message.find("kind: expected ContainerSecurityPolicy"), std::string::npos) << message;
  EXPECT_NE(message.find("apiVersion: expected containersecurity.dev/v1alpha1"), std::string::npos)
      << message;
  EXPECT_NE(message.find("metadata.name: required"), std::string::npos) << message;
  EXPECT_FALSE(ParsePolicy(Json("[]")));
  EXPECT_FALSE(ParsePolicy(Json(R"("policy")")));
}

TEST(ParsePolicyTest, AcceptsValidEdgeValues) {
  // Capability spellings, a root prefix, a lone registry host, an offset expiry, every enum.
  for (const char* spec : {
           R"({"controls":{"capabilities":{"allowed":["cap_net_raw","CAP_SYS_TIME","chown"]}}})",
           R"({"controls":{"capabilities":{"allowed":[]}}})",
           R"({"controls":{"hostPath":{"allowed":[{"pathPrefix":"/"}]}}})",
           R"({"controls":{"runtimeSocket":{"paths":[]}}})",
           R"({"controls":{"imageSignature":{"enabled":true,"allowedRegistries":["quay.io"]}}})",
           R"({"controls":{"imageSignature":{"enabled":true,"requireDigest":true}}})",
           R"({"exemptions":[{"reason":"r","expires":"2027-03-31T02:00:00.5+02:00"}]})",
           R"({"action":"Label","admission":"Warn"})",
           R"({"action":"Audit","admission":"None"})",
           R"({"match":{"kinds":["Pod","Deployment","ReplicaSet","StatefulSet","DaemonSet","Job",
                                   "CronJob","ReplicationController","PodTemplate"]}})",
       }) {
    Result<Policy> policy = ParsePolicy(PolicyDoc(spec));
    EXPECT_TRUE(policy) << spec << "\n" << (policy ? "" : policy.error().message);
  }
}

TEST(ParsePolicyTest, NullFieldsMeanDefaults) {
  Result<Policy> policy =
      ParsePolicy(PolicyDoc(R"({"action":null,"controls":{"seccomp":null},"exemptions":null})"));
  ASSERT_TRUE(policy) << policy.error().message;
  ExpectDefaults(*policy);
}

TEST(ParsePolicyTest, RuleIdsAreUnique) {
  std::set<std::string_view> ids, keys;
  for (const Control& c : AllControls()) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    EXPECT_TRUE(keys.insert(c.key).second) << c.key;
    EXPECT_NE(c.check, nullptr) << c.id;
    EXPECT_NE(c.parse, nullptr) << c.id;
    EXPECT_EQ(FindControl(c.id), &c);
  }
  EXPECT_EQ(ids.size(), AllControls().size());
  EXPECT_EQ(FindControl("no-such-rule"), nullptr);
}

// --- spec.podSecurityStandard ------------------------------------------------------------------

const ControlConfig& ConfigOf(const Policy& p, std::string_view rule) {
  for (const ControlConfig& c : p.controls) {
    if (c.control->id == rule) return c;
  }
  ADD_FAILURE() << "no control " << rule;
  return p.controls.front();
}

TEST(ParsePolicyTest, PresetSetsEveryControlToItsLevel) {
  for (const auto& [text, level] : {std::pair{"baseline", PssLevel::kBaseline},
                                    std::pair{"restricted", PssLevel::kRestricted}}) {
    Result<Policy> policy =
        ParsePolicy(PolicyDoc(std::string(R"({"podSecurityStandard":")") + text + R"("})"));
    ASSERT_TRUE(policy) << policy.error().message;
    EXPECT_EQ(policy->pod_security_standard, level);
    EXPECT_TRUE(policy->pss_deviations.empty());
    for (const ControlConfig& c : policy->controls) {
      const std::string_view preset =
          level == PssLevel::kBaseline ? c.control->pss_baseline : c.control->pss_restricted;
      const bool want = !preset.empty() && nlohmann::json::parse(preset).value("enabled", true);
      EXPECT_EQ(c.enabled, want) << text << ": " << c.control->id;
    }
  }
}

TEST(ParsePolicyTest, OwnFieldsOverrideThePresetAndAreNamedAsDeviations) {
  Result<Policy> policy = ParsePolicy(PolicyDoc(R"({"podSecurityStandard":"baseline",
      "controls":{"runAsNonRoot":{"enabled":true,"severity":"low"},
                  "probeHosts":{"enabled":true},
                  "imageSignature":{"enabled":true,"requireDigest":true}}})"));
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_TRUE(ConfigOf(*policy, "require-non-root").enabled);
  EXPECT_EQ(ConfigOf(*policy, "require-non-root").severity, "low");
  EXPECT_TRUE(ConfigOf(*policy, "require-image-signature").enabled);
  // probeHosts is what baseline asks anyway; severity is not a PSS matter.
  EXPECT_EQ(policy->pss_deviations,
            (std::vector<std::string>{
                "require-non-root: enabled is true (baseline: not checked)",
                "require-image-signature: enabled is true (baseline: not checked)",
                "require-image-signature: requireDigest is true (baseline: false)"}));
}

TEST(ParsePolicyTest, UnknownPresetIsRefused) {
  Result<Policy> policy = ParsePolicy(PolicyDoc(R"({"podSecurityStandard":"privileged"})"));
  ASSERT_FALSE(policy);
  EXPECT_EQ(policy.error().message,
            "spec.podSecurityStandard: \"privileged\" is not one of baseline, restricted");
}

}  // namespace
}  // namespace csp::policy
