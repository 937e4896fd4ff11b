// The scan's two ways of reading YAML give the same output: workloads read straight from the
// parser's events (manifest/tape_workload.h) and every document built as a JSON tree. Compared
// on the scan's whole output (reports, errors with file and line, exit code) over the test data
// of the repository and thousands of generated variants of a workload that sets every field
// the controls read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "csp/scan/scan.h"

namespace csp::scan {
namespace {

namespace fs = std::filesystem;

struct Output {
  int code = 0;
  std::string out;
  std::string err;
};

Output Run(ScanOptions options, const std::string& stdin_text, bool read_yaml_events) {
  options.read_yaml_events = read_yaml_events;
  options.format = Format::kJson;
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  Output o;
  o.code = RunScan(options, in, out, err);
  o.out = out.str();
  o.err = err.str();
  return o;
}

// Scans both ways under the default policy and under the restricted Pod Security Standard.
void ExpectSameScan(const ScanOptions& base, const std::string& stdin_text) {
  ScanOptions pss = base;
  pss.pod_security_standard = policy::PssLevel::kRestricted;
  for (const ScanOptions& options : {base, pss}) {
    const Output fast = Run(options, stdin_text, true);
    const Output tree = Run(options, stdin_text, false);
    EXPECT_EQ(fast.code, tree.code);
    EXPECT_EQ(fast.err, tree.err);
    EXPECT_TRUE(fast.out == tree.out) << "outputs differ; tree path:\n" << tree.out.substr(0, 4000);
  }
}

// A Deployment setting every field the pod spec parser and AsWorkload read, in an order that is
// not key order (probes, volume sources, node selector, annotations).
constexpr const char* kRich = R"(kind: Deployment
apiVersion: apps/v1
metadata:
  namespace: team-a
  name: rich
  uid: 11111111-2222-4333-8444-555555555555
  labels:
    tier: web
    app: rich
spec:
  template:
    metadata:
      annotations:
        zeta: "1"
        container.apparmor.security.beta.kubernetes.io/b: localhost/p
        container.apparmor.security.beta.kubernetes.io/a: unconfined
    spec:
      nodeSelector:
        zone: a
        disk: ssd
      nodeName: node-1
      os:
        name: linux
      hostUsers: false
      hostNetwork: true
      hostPID: false
      hostIPC: yes
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile:
          type: Localhost
          localhostProfile: prof.json
        appArmorProfile:
          type: RuntimeDefault
        seLinuxOptions:
          type: spc_t
          user: u
          role: r
          level: s0
        windowsOptions:
          hostProcess: false
        sysctls:
        - name: net.ipv4.ip_forward
          value: "1"
      volumes:
      - name: sock
        hostPath:
          path: /var/run/docker.sock
      - name: cfg
        secret:
          secretName: s
        configMap:
          name: c
      initContainers:
      - name: init
        image: busybox
        securityContext:
          privileged: true
      containers:
      - startupProbe:
          tcpSocket:
            host: 10.0.0.3
        name: app
        image: nginx:1.25
        readinessProbe:
          httpGet:
            host: 10.0.0.2
        livenessProbe:
          httpGet:
            host: 10.0.0.1
          tcpSocket:
            host: 10.0.0.4
        lifecycle:
          preStop:
            httpGet:
              host: 10.0.0.5
          postStart:
            tcpSocket:
              host: 10.0.0.6
        ports:
        - containerPort: 80
          hostPort: 8080
        - hostPort: 0x1F
        volumeMounts:
        - name: sock
          readOnly: true
        - name: cfg
        securityContext:
          allowPrivilegeEscalation: true
          procMount: Unmasked
          runAsUser: 0
          capabilities:
            add: [SYS_ADMIN, NET_RAW]
            drop: ["ALL"]
      ephemeralContainers:
      - name: debug
        image: busybox
)";

// Values a line's value is replaced with: every YAML type, what resolves to one (`yes`, `0x10`,
// `1.0`, `~`), what cannot be read (`.inf`, `!!int x`), anchors, aliases and containers.
const std::vector<std::string>& Replacements() {
  static const std::vector<std::string> kValues = {
      "~",
      "",
      "\"\"",
      "yes",
      "off",
      "0x10",
      "1.0",
      "1.5",
      "-1",
      "18446744073709551615",
      ".inf",
      "!!int x",
      "!!str 5",
      "'quoted'",
      "plain text",
      "[a, b]",
      "{a: b}",
      "&anchor v",
      "*anchor",
      "[]",
      "{}",
      "null",
      "true",
      "0777",
      "|\n  block",
      "<<",
      "\"esc\\u0041\"",
  };
  return kValues;
}

// One variant per (line, replacement), one per dropped line, one per doubled line (a duplicate
// key), separated by `---`; line numbers shift, so errors are located differently in each.
std::string Variants(const std::string& base) {
  std::vector<std::string> lines;
  std::istringstream in(base);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto join = [&](auto&& edit) {
    std::string doc = "---\n";
    for (std::size_t i = 0; i < lines.size(); ++i) doc += edit(i);
    return doc;
  };
  std::string out;
  for (std::size_t target = 0; target < lines.size(); ++target) {
    const std::string& line = lines[target];
    out += join([&](std::size_t i) { return i == target ? "" : lines[i] + "\n"; });
    out += join([&](std::size_t i) {
      return i == target ? lines[i] + "\n" + lines[i] + "\n" : lines[i] + "\n";
    });
    const std::size_t colon = line.find(": ");
    const std::size_t key_end = colon != std::string::npos ? colon + 1 : line.find(':');
    if (key_end == std::string::npos) continue;
    for (const std::string& value : Replacements()) {
      out += join([&](std::size_t i) {
        return i == target ? line.substr(0, key_end) + " " + value + "\n" : lines[i] + "\n";
      });
    }
    // The key itself as something else: a YAML word, a number, quoted, a merge key.
    const std::size_t indent = line.find_first_not_of(" -");
    if (indent < key_end) {
      for (const char* key : {"on", "0x1", "\"quoted\"", "<<", "? [k]"}) {
        out += join([&](std::size_t i) {
          return i == target
                     ? line.substr(0, indent) + std::string(key) + line.substr(key_end - 1) + "\n"
                     : lines[i] + "\n";
        });
      }
    }
  }
  return out;
}

TEST(EventReaderDifferentialTest, RichWorkloadAndItsVariants) {
  const std::string variants = Variants(kRich);
  ASSERT_GT(variants.size(), std::size_t{1} << 20);  // big enough to be parsed in pieces
  ExpectSameScan({.paths = {"-"}}, std::string(kRich));
  ExpectSameScan({.paths = {"-"}}, variants);
}

TEST(EventReaderDifferentialTest, EveryWorkloadKind) {
  std::string stream;
  for (const char* kind :
       {"v1 Pod", "v1 ReplicationController", "v1 PodTemplate", "apps/v1 Deployment",
        "apps/v1 ReplicaSet", "apps/v1 StatefulSet", "apps/v1 DaemonSet",
        "extensions/v1beta1 Deployment", "batch/v1 Job", "batch/v1 CronJob", "v1 Namespace",
        "v1 List", "apps/v1 DeploymentList", "v1 ConfigMap", "example.com/v1 Widget"}) {
    const std::string text(kind);
    const std::string api = text.substr(0, text.find(' '));
    const std::string name = text.substr(text.find(' ') + 1);
    const std::string pod =
        "{containers: [{name: c, image: x, securityContext: {privileged: true}}]}";
    const std::string tmpl = "{metadata: {annotations: {a: b}}, spec: " + pod + "}";
    stream += "---\napiVersion: " + api + "\nkind: " + name + "\nmetadata: {name: n}\n";
    stream += "spec: " + pod + "\n";
    stream += "template: " + tmpl + "\n";
    stream += "---\napiVersion: " + api + "\nkind: " + name + "\nmetadata: {name: m}\n";
    stream += "spec: {template: " + tmpl + ", jobTemplate: {spec: {template: " + tmpl + "}}}\n";
    stream += "items: [{kind: Pod, apiVersion: v1, spec: " + pod + "}]\n";
  }
  ExpectSameScan({.paths = {"-"}}, stream);
  ExpectSameScan({.paths = {"-"}, .default_namespace = "elsewhere"}, stream);
}

std::string Repeat(std::string_view s, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out.append(s);
  return out;
}

// The hostile inputs of hostile_input_test.cc, inside and around workloads: what the tree path
// refuses (limits, broken syntax, forbidden bytes) must be refused the same way, with the same
// errors, and what follows read the same.
TEST(EventReaderDifferentialTest, HostileInputs) {
  const std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n";
  const std::string ok = pod +
                         "  containers: [{name: c, image: x, securityContext: "
                         "{privileged: true}}]\n";
  std::string laughs = "  a: &a [\"lol\"" + Repeat(", \"lol\"", 9) + "]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    const std::string previous(1, static_cast<char>(level - 1));
    laughs += "  " + std::string(1, level) + ": &" + std::string(1, level) + " [*" + previous +
              Repeat(", *" + previous, 9) + "]\n";
  }
  const std::vector<std::string> inputs = {
      pod + laughs + "---\n" + ok,                                           // billion laughs
      pod + "  x: " + Repeat("[", 300) + Repeat("]", 300) + "\n---\n" + ok,  // deep flow
      pod + "  x: " + Repeat("{a: ", 300) + "\n---\n" + ok,                  // deep, unterminated
      pod + "  x: " + std::string(5 << 20, 'x') + "\n---\n" + ok,            // a 5 MB scalar
      ok + "---\n" + std::string("kind: \0\n", 9) + "---\n" + ok,            // a forbidden byte
      ok + "---\n" + pod + "  x: \"unterminated\n---\n" + ok,                // a broken quote
      ok + "---\n" + pod + "\tcontainers: []\n---\n" + ok,                   // a tab
      Repeat("a: b: c\n---\n" + ok + "---\n", 2000),                         // many broken
      "\xEF\xBB\xBF" + ok,                                                   // a BOM
      "%YAML 1.1\n---\n" + ok + "---\n" + ok,                                // a directive
      "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {}}\n",         // JSON
      "{apiVersion: v1, kind: Pod, spec: {hostPID: true}}\n",                // flow YAML
  };
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input.substr(0, 80));
    ExpectSameScan({.paths = {"-"}}, input);
  }
}

// Every YAML and JSON file of the repository's test data and examples, each on its own, as
// cspctl scan reads them (the policies too: they are documents like any other).
TEST(EventReaderDifferentialTest, RepositoryTestData) {
  std::size_t files = 0;
  for (const char* dir : {"tests/cli/testdata", "tests/fuzz/seeds/scan_fuzzer", "examples"}) {
    const fs::path root = fs::path(CSP_SOURCE_DIR) / dir;
    ASSERT_TRUE(fs::is_directory(root)) << root;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      const std::string ext = entry.path().extension().string();
      if (ext != ".yaml" && ext != ".yml" && ext != ".json") continue;
      SCOPED_TRACE(entry.path().string());
      ExpectSameScan({.paths = {entry.path().string()}}, "");
      ++files;
    }
  }
  EXPECT_GT(files, std::size_t{20});
}

}  // namespace
}  // namespace csp::scan
