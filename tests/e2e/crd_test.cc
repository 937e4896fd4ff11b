// The CRDs in crds/ against a real API server: they install with server-side apply and become
// Established, print the columns users see, fill in every default of a ContainerSecurityPolicy,
// refuse each broken policy of examples/invalid/ with a message naming the offending field,
// accept the example policies and workloads, and let no one but cluster admins write policies.
//
// Policies and ClusterPolicyReports are cluster-scoped: every test names its own with
// UniqueName() and deletes them when it ends (DeleteOnExit), whatever the outcome.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "csp/policy/control.h"
#include "e2e_env.h"

namespace csp::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

constexpr char kPolicyCrd[] = "containersecuritypolicies.containersecurity.dev";
constexpr char kReportCrd[] = "policyreports.wgpolicyk8s.io";
constexpr char kClusterReportCrd[] = "clusterpolicyreports.wgpolicyk8s.io";
// OpenReports (--report-api openreports): upstream's files, v0.2.1.
constexpr char kOpenReportCrd[] = "reports.openreports.io";
constexpr char kOpenClusterReportCrd[] = "clusterreports.openreports.io";
constexpr char kPolicyApiVersion[] = "containersecurity.dev/v1alpha1";
constexpr char kReportApiVersion[] = "wgpolicyk8s.io/v1alpha2";

// Bound on how long the API server may take to serve a freshly installed CRD; not a
// performance expectation.
constexpr seconds kServeWait{60};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> YamlFilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".yaml" && p.filename() != "kustomization.yaml") files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

::testing::AssertionResult Mentions(const CommandResult& r, const std::string& text) {
  if (r.err.find(text) != std::string::npos || r.out.find(text) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "kubectl's output does not mention \"" << text << "\": " << r;
}

// The first `name:` under the document's top-level `metadata:` (the examples' layout).
std::string MetadataName(const std::string& manifest) {
  const std::string marker = "\nmetadata:\n  name: ";
  const size_t at = manifest.find(marker);
  if (at == std::string::npos) return "";
  const size_t begin = at + marker.size();
  return manifest.substr(begin, manifest.find('\n', begin) - begin);
}

std::string WithMetadataName(const std::string& manifest, const std::string& name) {
  const std::string old_name = MetadataName(manifest);
  const size_t at = manifest.find("\nmetadata:\n  name: " + old_name);
  std::string renamed = manifest;
  renamed.replace(at + std::string("\nmetadata:\n  name: ").size(), old_name.size(), name);
  return renamed;
}

json Policy(const std::string& name, const json& spec) {
  json policy = {{"apiVersion", kPolicyApiVersion},
                 {"kind", "ContainerSecurityPolicy"},
                 {"metadata", {{"name", name}}}};
  if (!spec.is_null()) policy["spec"] = spec;
  return policy;
}

// Deletes a cluster-scoped object when the test ends, whatever its outcome.
class DeleteOnExit {
 public:
  DeleteOnExit(std::string resource, std::string name)
      : resource_(std::move(resource)), name_(std::move(name)) {}
  DeleteOnExit(const DeleteOnExit&) = delete;
  DeleteOnExit& operator=(const DeleteOnExit&) = delete;
  ~DeleteOnExit() {
    CommandResult r = Kubectl({"delete", resource_, name_, "--ignore-not-found", "--wait=false"});
    EXPECT_EQ(r.exit_code, 0) << "cleaning up " << resource_ << "/" << name_ << ": " << r;
  }

 private:
  std::string resource_;
  std::string name_;
};

// Applies crds/ (idempotent) and waits until kubectl can list each kind by its short name.
void InstallCrds() {
  CommandResult r = Kubectl({"apply", "--server-side", "-f", RepoRoot() + "/crds/"});
  ASSERT_EQ(r.exit_code, 0) << r;
  ASSERT_TRUE(WaitCrdsEstablished(
      {kPolicyCrd, kReportCrd, kClusterReportCrd, kOpenReportCrd, kOpenClusterReportCrd}));
  for (const char* resource : {"csp", "polr", "cpolr", "reps", "creps"}) {
    CommandResult last;
    EXPECT_TRUE(Eventually(
        [&] {
          last = Kubectl({"get", resource, "-A"});
          return last.exit_code == 0;
        },
        kServeWait))
        << "kubectl get " << resource << ": " << last;
  }
}

class CrdTest : public E2ETest {
 protected:
  void SetUp() override {
    E2ETest::SetUp();
    if (HasFatalFailure()) return;
    InstallCrds();
  }

  // Creates the policy as the admin and returns its read-back form.
  json CreatePolicy(const json& policy) {
    CommandResult r = Kubectl({"create", "-f", "-"}, policy.dump());
    EXPECT_EQ(r.exit_code, 0) << r;
    return KubectlJson({"get", "csp", policy["metadata"]["name"].get<std::string>()});
  }
};

bool ConditionTrue(const json& obj, const std::string& type) {
  for (const auto& c : obj["status"].value("conditions", json::array())) {
    if (c.value("type", "") == type) return c.value("status", "") == "True";
  }
  return false;
}

// --- Installation ----------------------------------------------------------------------------

TEST_F(CrdTest, CrdsInstallWithServerSideApplyAndAreEstablished) {
  // SetUp applied them already; a second apply must be a clean no-op, not a conflict.
  CommandResult again = Kubectl({"apply", "--server-side", "-f", RepoRoot() + "/crds/"});
  EXPECT_EQ(again.exit_code, 0) << again;

  struct Expected {
    const char* crd = "";
    const char* scope = "";
    const char* short_name = "";
    const char* version = "";
  };
  for (const Expected& want : {Expected{kPolicyCrd, "Cluster", "csp", "v1alpha1"},
                               Expected{kReportCrd, "Namespaced", "polr", "v1alpha2"},
                               Expected{kClusterReportCrd, "Cluster", "cpolr", "v1alpha2"},
                               Expected{kOpenReportCrd, "Namespaced", "reps", "v1alpha1"},
                               Expected{kOpenClusterReportCrd, "Cluster", "creps", "v1alpha1"}}) {
    SCOPED_TRACE(want.crd);
    json crd = KubectlJson({"get", "crd", want.crd});
    EXPECT_TRUE(ConditionTrue(crd, "Established")) << crd["status"].dump(2);
    EXPECT_TRUE(ConditionTrue(crd, "NamesAccepted")) << crd["status"].dump(2);
    for (const auto& c : crd["status"].value("conditions", json::array())) {
      EXPECT_NE(c.value("type", ""), "NonStructuralSchema") << c.dump();
    }
    EXPECT_EQ(crd["spec"]["scope"], want.scope);
    EXPECT_EQ(crd["spec"]["names"]["shortNames"], json::array({want.short_name}));
    // Exactly one version, served and storage (the PolicyReport storage-version trap).
    ASSERT_EQ(crd["spec"]["versions"].size(), 1u) << crd["spec"]["versions"].dump(2);
    EXPECT_EQ(crd["spec"]["versions"][0]["name"], want.version);
    EXPECT_EQ(crd["spec"]["versions"][0]["served"], true);
    EXPECT_EQ(crd["spec"]["versions"][0]["storage"], true);
    EXPECT_EQ(crd["status"]["storedVersions"], json::array({want.version}));
  }
  json policy_crd = KubectlJson({"get", "crd", kPolicyCrd});
  EXPECT_TRUE(policy_crd["spec"]["versions"][0]["subresources"].contains("status"));
}

TEST_F(CrdTest, KustomizationsBuild) {
  CommandResult crds =
      Kubectl({"kustomize", "--load-restrictor=LoadRestrictionsNone", RepoRoot() + "/config/crd"});
  ASSERT_EQ(crds.exit_code, 0) << crds;
  for (const char* crd : {kPolicyCrd, kReportCrd, kClusterReportCrd}) {
    EXPECT_TRUE(Mentions(crds, std::string("name: ") + crd));
  }
  CommandResult samples =
      Kubectl({"apply", "--server-side", "--dry-run=server", "-k", RepoRoot() + "/config/samples"});
  EXPECT_EQ(samples.exit_code, 0) << samples;
  EXPECT_TRUE(Mentions(samples, "containersecuritypolicy.containersecurity.dev/"));
}

// --- Printer columns -------------------------------------------------------------------------

TEST_F(CrdTest, GetCspPrintsActionFailingReadyAge) {
  const std::string name = UniqueName("crd-columns");
  DeleteOnExit cleanup("csp", name);
  CreatePolicy(Policy(name, {{"action", "Label"}}));

  // The operator's status, written through the status subresource.
  const json status = {
      {"status",
       {{"observedGeneration", 1},
        {"conditions",
         {{{"type", "Ready"},
           {"status", "True"},
           {"reason", "Reconciled"},
           {"message", "evaluated 12 workloads"},
           {"lastTransitionTime", "2026-01-01T00:00:00Z"}}}},
        {"workloads", {{"total", 12}, {"passing", 9}, {"failing", 3}, {"exempted", 0}}},
        {"exemptions", json::array()}}}};
  CommandResult r =
      Kubectl({"patch", "csp", name, "--subresource=status", "--type=merge", "-p", status.dump()});
  ASSERT_EQ(r.exit_code, 0) << r;

  r = Kubectl({"get", "csp", name});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r;
  EXPECT_EQ(Words(lines[0]),
            (std::vector<std::string>{"NAME", "ACTION", "FAILING", "READY", "AGE"}))
      << r;
  const std::vector<std::string> row = Words(lines[1]);
  ASSERT_EQ(row.size(), 5u) << r;
  EXPECT_EQ(row[0], name);
  EXPECT_EQ(row[1], "Label");
  EXPECT_EQ(row[2], "3");
  EXPECT_EQ(row[3], "True");
}

json Report(const std::string& kind, const std::string& name, const std::string& ns) {
  json report = {
      {"apiVersion", kReportApiVersion},
      {"kind", kind},
      {"metadata",
       {{"name", name},
        {"labels",
         {{"app.kubernetes.io/managed-by", "csp-operator"},
          {"containersecurity.dev/policy", "baseline"}}}}},
      {"scope",
       {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"namespace", ns}, {"name", "web"}}},
      {"summary", {{"pass", 3}, {"fail", 2}, {"warn", 0}, {"error", 1}, {"skip", 4}}},
      {"results",
       {{{"source", "containersecurity"},
         {"policy", "baseline"},
         {"rule", "disallow-privileged"},
         {"result", "fail"},
         {"severity", "critical"},
         {"category", "Pod Security"},
         {"scored", true},
         {"message", "container \"app\": securityContext.privileged is true"},
         {"resources",
          {{{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"namespace", ns},
            {"name", "web"},
            {"uid", "0b6f2f4e-5d0c-4c69-9d53-1f1d1c0f8a11"}}}},
         {"timestamp", {{"seconds", 1767225600}, {"nanos", 500}}},
         {"properties", {{"containers", "app"}, {"remediation", "labeled"}}}},
        {{"policy", "baseline"},
         {"rule", "require-image-signature"},
         {"result", "skip"},
         {"severity", "info"}}}}};
  if (kind == "PolicyReport") report["metadata"]["namespace"] = ns;
  return report;
}

void ExpectReportColumns(const std::vector<std::string>& get_args, const std::string& name) {
  CommandResult r = Kubectl(get_args);
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r;
  EXPECT_EQ(Words(lines[0]),
            (std::vector<std::string>{"NAME", "PASS", "FAIL", "WARN", "ERROR", "SKIP", "AGE"}))
      << r;
  std::vector<std::string> row = Words(lines[1]);
  ASSERT_EQ(row.size(), 7u) << r;
  EXPECT_EQ(std::vector<std::string>(row.begin(), row.begin() + 6),
            (std::vector<std::string>{name, "3", "2", "0", "1", "4"}));

  // Kind and Name of the scope are priority-1 columns: only in -o wide.
  std::vector<std::string> wide_args = get_args;
  wide_args.insert(wide_args.end(), {"-o", "wide"});
  r = Kubectl(wide_args);
  ASSERT_EQ(r.exit_code, 0) << r;
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r;
  EXPECT_EQ(Words(lines[0]), (std::vector<std::string>{"NAME", "KIND", "NAME", "PASS", "FAIL",
                                                       "WARN", "ERROR", "SKIP", "AGE"}))
      << r;
  row = Words(lines[1]);
  ASSERT_GE(row.size(), 3u) << r;
  EXPECT_EQ(row[1], "Deployment");
  EXPECT_EQ(row[2], "web");
}

TEST_F(CrdTest, PolicyReportsAcceptTheCspShapeAndPrintCounts) {
  const json report = Report("PolicyReport", "csp-baseline", ns());
  CommandResult r = Kubectl({"create", "-f", "-"}, report.dump());
  ASSERT_EQ(r.exit_code, 0) << r;
  // Nothing pruned: every field of the api.md report shape is in the schema.
  json got = KubectlJson({"-n", ns(), "get", "polr", "csp-baseline"});
  EXPECT_EQ(got["results"], report["results"]) << got.dump(2);
  EXPECT_EQ(got["scope"], report["scope"]);
  EXPECT_EQ(got["summary"], report["summary"]);
  ExpectReportColumns({"-n", ns(), "get", "polr", "csp-baseline"}, "csp-baseline");
}

TEST_F(CrdTest, ClusterPolicyReportsAcceptTheCspShapeAndPrintCounts) {
  const std::string name = UniqueName("crd-cpolr");
  DeleteOnExit cleanup("cpolr", name);
  const json report = Report("ClusterPolicyReport", name, ns());
  CommandResult r = Kubectl({"create", "-f", "-"}, report.dump());
  ASSERT_EQ(r.exit_code, 0) << r;
  json got = KubectlJson({"get", "cpolr", name});
  EXPECT_EQ(got["results"], report["results"]) << got.dump(2);
  ExpectReportColumns({"get", "cpolr", name}, name);
}

TEST_F(CrdTest, PolicyReportsRefuseResultsOutsideTheSchema) {
  struct Case {
    const char* what = "";
    json result = {};
    const char* field = "";
  };
  const Case cases[] = {
      {"severity outside the enum",
       {{"policy", "p"}, {"severity", "urgent"}},
       "results[0].severity"},
      {"result outside the enum", {{"policy", "p"}, {"result", "failed"}}, "results[0].result"},
      {"RFC 3339 timestamp",
       {{"policy", "p"}, {"timestamp", "2026-01-01T00:00:00Z"}},
       "results[0].timestamp"},
      {"timestamp without nanos",
       {{"policy", "p"}, {"timestamp", {{"seconds", 1}}}},
       "results[0].timestamp.nanos"},
      {"no policy", {{"rule", "r"}}, "results[0].policy"},
      {"non-string property",
       {{"policy", "p"}, {"properties", {{"count", 3}}}},
       "results[0].properties.count"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    json report = Report("PolicyReport", "csp-invalid", ns());
    report["results"] = json::array({c.result});
    CommandResult r = Kubectl({"create", "-f", "-"}, report.dump());
    EXPECT_NE(r.exit_code, 0) << r;
    EXPECT_TRUE(Mentions(r, c.field));
  }
}

// --- Defaults --------------------------------------------------------------------------------

// Every default of the api.md shape, as the API server must fill them in. The controls' come
// from the registry, which tests/policy/crd_test.cc holds the CRD's schema to.
// What the API server fills in: the spec-level defaults. Nothing under spec.controls: the
// engine holds the controls' defaults, and a preset (spec.podSecurityStandard) must see which
// fields the policy sets itself (docs/api.md).
const json& DefaultSpec() {
  static const json spec = {{"action", "Audit"},
                            {"admission", "None"},
                            {"admissionMode", "Webhook"},
                            {"controls", json::object()}};
  return spec;
}

TEST_F(CrdTest, EmptySpecReadsBackWithTheSpecDefaults) {
  const std::string name = UniqueName("crd-empty-spec");
  DeleteOnExit cleanup("csp", name);
  json got = CreatePolicy(Policy(name, json::object()));
  EXPECT_EQ(got["spec"], DefaultSpec()) << "read back:\n" << got["spec"].dump(2);
}

TEST_F(CrdTest, MissingSpecReadsBackWithTheSpecDefaults) {
  const std::string name = UniqueName("crd-no-spec");
  DeleteOnExit cleanup("csp", name);
  json got = CreatePolicy(Policy(name, nullptr));
  EXPECT_EQ(got["spec"], DefaultSpec()) << "read back:\n" << got["spec"].dump(2);
}

TEST_F(CrdTest, PartialControlsReadBackAsWritten) {
  const std::string name = UniqueName("crd-partial");
  DeleteOnExit cleanup("csp", name);
  json got = CreatePolicy(Policy(name, json::parse(R"json({
    "controls": {
      "appArmor": {"requireExplicit": true},
      "capabilities": {"allowed": []},
      "runtimeSocket": {"paths": []},
      "hostPath": {"allowed": [{"pathPrefix": "/var/log"}]}
    }
  })json")));
  json want = DefaultSpec();
  want["controls"]["appArmor"]["requireExplicit"] = true;
  want["controls"]["capabilities"]["allowed"] = json::array();  // [] allows nothing: kept
  want["controls"]["runtimeSocket"]["paths"] = json::array();   // [] lists no socket: kept
  // Inside a list item the policy wrote, the item's own defaults still apply.
  want["controls"]["hostPath"]["allowed"] =
      json::array({{{"pathPrefix", "/var/log"}, {"readOnly", false}}});
  EXPECT_EQ(got["spec"], want) << "read back:\n" << got["spec"].dump(2);
}

TEST_F(CrdTest, PolicyWithEveryFieldReadsBackUnchanged) {
  const std::string name = UniqueName("crd-every-field");
  DeleteOnExit cleanup("csp", name);
  // Every field set, none to its default, so the read-back must equal what was sent.
  const json spec = json::parse(R"json({
    "match": {
      "namespaceSelector": {
        "matchLabels": {"team": "payments"},
        "matchExpressions": [
          {"key": "env", "operator": "In", "values": ["prod", "staging"]},
          {"key": "sandbox", "operator": "DoesNotExist"}
        ]
      },
      "excludeNamespaces": ["kube-system", "payments-sandbox"],
      "workloadSelector": {
        "matchLabels": {"tier": "backend"},
        "matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["debug"]}]
      },
      "kinds": ["Pod", "ReplicationController", "PodTemplate", "Deployment", "ReplicaSet",
                "StatefulSet", "DaemonSet", "Job", "CronJob"]
    },
    "action": "ScaleDown",
    "admission": "Deny",
    "admissionMode": "ValidatingAdmissionPolicy",
    "podSecurityStandard": "restricted",
    "controls": {
      "privileged": {"enabled": false, "severity": "high", "action": "Audit"},
      "seccomp": {"enabled": true, "severity": "critical", "action": "Label"},
      "appArmor": {"enabled": true, "severity": "low", "action": "ScaleDown",
                   "requireExplicit": true},
      "capabilities": {"enabled": true, "severity": "medium", "action": "Label",
                       "allowed": ["CHOWN", "cap_net_raw", "CAP_SETUID"],
                       "requireDropAll": true},
      "runAsNonRoot": {"enabled": true, "severity": "info", "action": "Audit"},
      "runtimeSocket": {"enabled": true, "severity": "high", "action": "ScaleDown",
                        "paths": ["/run/k3s/containerd/containerd.sock"]},
      "hostPath": {"enabled": true, "severity": "low", "action": "Label",
                   "allowed": [{"pathPrefix": "/var/log", "readOnly": true},
                               {"pathPrefix": "/data/cache", "readOnly": false}]},
      "imageSignature": {
        "enabled": true, "severity": "critical", "action": "ScaleDown",
        "requireDigest": true,
        "allowedRegistries": ["registry.example.com", "ghcr.io/acme"],
        "keys": [
          {"name": "release",
           "publicKey": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0C\n-----END PUBLIC KEY-----\n"},
          {"name": "ci",
           "secretRef": {"namespace": "csp-system", "name": "cosign", "key": "ci.pub"}}
        ]
      }
    },
    "exemptions": [
      {"rules": ["require-non-root", "restrict-capabilities"], "namespaces": ["legacy", "team-*"],
       "kinds": ["StatefulSet"], "names": ["db-*"], "reason": "vendor image runs as root (SEC-12)",
       "expires": "2027-03-31T00:00:00Z"
},
      {"rules": [], "namespaces": [], "kinds": [], "names": ["break-glass"],
       "reason": "incident INC-7 debugging"}
    ]
})json");
  json got = CreatePolicy(Policy(name, spec));
  EXPECT_EQ(got["spec"], spec) << "read back:\n" << got["spec"].dump(2);
}

// Structural schemas prune unknown fields. Strict field validation (kubectl's default) turns
// them into errors (tested with examples/invalid/unknown-*.yaml); a client that opts out
// (--validate=false, fieldValidation=Ignore) gets them silently dropped, never stored.
TEST_F(CrdTest, UnknownFieldsArePrunedWhenValidationIsOff) {
  const std::string name = UniqueName("crd-pruned");
  DeleteOnExit cleanup("csp", name);
  json policy = Policy(name, {{"action", "Label"}, {"quarantine", true}});
  policy["spec"]["controls"] = {{"privileged", {{"allowPrivileged", true}}}};
  CommandResult r = Kubectl({"create", "--validate=false", "-f", "-"}, policy.dump());
  ASSERT_EQ(r.exit_code, 0) << r;
  json got = KubectlJson({"get", "csp", name});
  EXPECT_EQ(got["spec"]["action"], "Label");
  EXPECT_FALSE(got["spec"].contains("quarantine")) << got["spec"].dump(2);
  EXPECT_EQ(got["spec"]["controls"]["privileged"], json::object());  // the field pruned
}

// --- Refusals: examples/invalid/ -------------------------------------------------------------

enum class Verb { kServerSideApply, kCreate };

struct InvalidCase {
  fs::path file = {};
  Verb verb = Verb::kServerSideApply;
};

void PrintTo(const InvalidCase& c, std::ostream* os) {
  *os << c.file.filename() << (c.verb == Verb::kCreate ? " (create)" : " (server-side apply)");
}

std::vector<InvalidCase> InvalidCases() {
  std::vector<InvalidCase> cases;
  for (const fs::path& file : YamlFilesIn(fs::path(RepoRoot()) / "examples" / "invalid")) {
    cases.push_back({file, Verb::kServerSideApply});
    cases.push_back({file, Verb::kCreate});
  }
  return cases;
}

std::string InvalidCaseName(const ::testing::TestParamInfo<InvalidCase>& info) {
  std::string name = info.param.file.stem().string();
  std::replace_if(
      name.begin(), name.end(),
      [](char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; }, '_');
  return name + (info.param.verb == Verb::kCreate ? "_Create" : "_ServerSideApply");
}

// Each file states what the API server's message must name, in `# expect-error: <text>` lines.
std::vector<std::string> ExpectedErrors(const std::string& manifest) {
  static const std::regex kExpect(R"(^# expect-error: (.+)$)");
  std::vector<std::string> expected;
  for (const std::string& line : Lines(manifest)) {
    std::smatch m;
    if (std::regex_match(line, m, kExpect)) expected.push_back(m[1]);
  }
  return expected;
}

class CrdInvalidPolicyTest : public CrdTest, public ::testing::WithParamInterface<InvalidCase> {};

TEST_P(CrdInvalidPolicyTest, IsRefusedNamingTheField) {
  const std::string manifest = ReadFile(GetParam().file);
  const std::vector<std::string> expected = ExpectedErrors(manifest);
  ASSERT_FALSE(expected.empty()) << GetParam().file << " has no `# expect-error:` line";
  const std::string name = MetadataName(manifest);
  ASSERT_FALSE(name.empty()) << GetParam().file << " has no metadata.name";
  DeleteOnExit cleanup("csp", name);  // only matters if it was wrongly accepted

  const std::string path = GetParam().file.string();
  CommandResult r = GetParam().verb == Verb::kCreate
                        ? Kubectl({"create", "-f", path})
                        : Kubectl({"apply", "--server-side", "-f", path});
  EXPECT_NE(r.exit_code, 0) << "accepted: " << r;
  for (const std::string& text : expected) EXPECT_TRUE(Mentions(r, text));
  EXPECT_NE(Kubectl({"get", "csp", name}).exit_code, 0) << "policy " << name << " was stored";
}

INSTANTIATE_TEST_SUITE_P(ExamplesInvalid, CrdInvalidPolicyTest, ::testing::ValuesIn(InvalidCases()),
                         InvalidCaseName);

// --- Examples are accepted -------------------------------------------------------------------

TEST_F(CrdTest, ExamplePoliciesAreAccepted) {
  std::vector<fs::path> files = YamlFilesIn(fs::path(RepoRoot()) / "examples" / "policies");
  ASSERT_FALSE(files.empty());
  for (const fs::path& sample : YamlFilesIn(fs::path(RepoRoot()) / "config" / "samples")) {
    files.push_back(sample);
  }
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const std::string manifest = ReadFile(file);
    // The examples' names (baseline, strict) may be in use by a demo: create a unique copy.
    const std::string name = UniqueName("crd-example-" + MetadataName(manifest));
    DeleteOnExit cleanup("csp", name);
    CommandResult r =
        Kubectl({"apply", "--server-side", "-f", "-"}, WithMetadataName(manifest, name));
    ASSERT_EQ(r.exit_code, 0) << r;
    // Read back with the spec-level defaults (none under spec.controls: EmptySpec... above).
    json got = KubectlJson({"get", "csp", name});
    for (const auto& field : DefaultSpec().items()) {
      EXPECT_TRUE(got["spec"].contains(field.key())) << field.key();
    }
  }
}

// The example workloads are real objects: the API server (PodSecurity at its default level,
// privileged) accepts every one. They are created in this test's namespace instead of
// demo/legacy; the Namespace objects themselves are checked with a server-side dry run.
TEST_F(CrdTest, ExampleWorkloadsAreAcceptedByTheApiServer) {
  const std::vector<fs::path> files = YamlFilesIn(fs::path(RepoRoot()) / "examples" / "workloads");
  ASSERT_GE(files.size(), 5u);
  static const std::regex kNamespace(R"(\bnamespace: (demo|legacy)\b)");
  static const std::regex kNamespaceKind(R"((^|\n)kind: Namespace\b)");
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const std::string manifest = ReadFile(file);
    if (std::regex_search(manifest, kNamespaceKind)) {
      CommandResult r =
          Kubectl({"apply", "--server-side", "--dry-run=server", "-f", file.string()});
      EXPECT_EQ(r.exit_code, 0) << r;
      continue;
    }
    const std::string local = std::regex_replace(manifest, kNamespace, "namespace: " + ns());
    CommandResult r = Kubectl({"apply", "--server-side", "-f", "-"}, local);
    EXPECT_EQ(r.exit_code, 0) << r;
    // Every object of the file (List items included) now exists.
    r = Kubectl({"get", "-f", "-"}, local);
    EXPECT_EQ(r.exit_code, 0) << r;
  }
}

// --- RBAC --------------------------------------------------------------------------------------

// Checks that identity can neither create, change nor delete policies; `existing` must be left
// untouched.
void ExpectCannotWritePolicies(const std::string& identity, const std::string& existing) {
  SCOPED_TRACE("identity " + identity);
  const std::string resource = "containersecuritypolicies.containersecurity.dev";
  const std::string refused = "User \"" + identity + "\" cannot";

  const std::string name = UniqueName("crd-rbac-" + identity);
  DeleteOnExit cleanup("csp", name);
  CommandResult r = KubectlAs(identity, {"create", "-f", "-"}, Policy(name, json::object()).dump());
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(Mentions(r, refused));

  r = KubectlAs(identity,
                {"patch", "csp", existing, "--type=merge", "-p",
                 R"({"spec":{"action":"Audit","controls":{"privileged":{"enabled":false}}}})"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(Mentions(r, refused));

  r = KubectlAs(identity, {"delete", "csp", existing, "--wait=false"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(Mentions(r, refused));

  for (const char* verb : {"create", "update", "patch", "delete", "deletecollection"}) {
    r = KubectlAs(identity, {"auth", "can-i", verb, resource});
    EXPECT_EQ(Words(r.out), std::vector<std::string>{"no"}) << verb << ": " << r;
  }
  json got = KubectlJson({"get", "csp", existing});
  EXPECT_EQ(got["spec"]["action"], "ScaleDown");
  // The refused patch would have written controls.privileged; the policy never had it.
  EXPECT_FALSE(got["spec"]["controls"].contains("privileged")) << got["spec"].dump();
}

class CrdRbacTest : public CrdTest {
 protected:
  // A policy the admin created, for the others to try to change.
  std::string CreateTarget() {
    const std::string name = UniqueName("crd-rbac-target");
    CreatePolicy(Policy(name, {{"action", "ScaleDown"}}));
    return name;
  }
};

TEST_F(CrdRbacTest, NobodyCannotWritePolicies) {
  const std::string target = CreateTarget();
  DeleteOnExit cleanup("csp", target);
  ExpectCannotWritePolicies("nobody", target);
}

TEST_F(CrdRbacTest, DevCannotWritePoliciesEvenWithNamespaceEdit) {
  const std::string target = CreateTarget();
  DeleteOnExit cleanup("csp", target);
  ExpectCannotWritePolicies("dev", target);

  // Namespace edit rights (the usual grant to an application team) reach namespaced objects
  // only: policies are cluster-scoped, so they stay out of reach.
  CommandResult r = Kubectl(
      {"-n", ns(), "create", "rolebinding", "dev-edit", "--clusterrole=edit", "--user=dev"});
  ASSERT_EQ(r.exit_code, 0) << r;
  CommandResult can;
  ASSERT_TRUE(Eventually(
      [&] {
        can = KubectlAs("dev", {"-n", ns(), "auth", "can-i", "create", "deployments.apps"});
        return Words(can.out) == std::vector<std::string>{"yes"};
      },
      kServeWait))
      << "the edit binding never took effect: " << can;
  ExpectCannotWritePolicies("dev", target);

  // Naming the namespace changes nothing: the object is cluster-scoped all the same.
  const std::string in_ns = UniqueName("crd-rbac-ns");
  DeleteOnExit cleanup_in_ns("csp", in_ns);
  r = KubectlAs("dev", {"-n", ns(), "create", "-f", "-"}, Policy(in_ns, json::object()).dump());
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(Mentions(r, "User \"dev\" cannot"));
}

}  // namespace
}  // namespace csp::e2e
