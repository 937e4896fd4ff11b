// cspctl as a GitOps pipeline runs it: exit codes, error messages, and golden outputs of every
// format at a fixed clock. CSP_UPDATE_GOLDEN=1 rewrites the golden files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "csp/policy/control.h"
#include "subprocess.h"
#include "temp_dir.h"

namespace {

using csp::test::CommandResult;
using json = nlohmann::json;

constexpr const char* kNow = "2026-06-01T00:00:00Z";

class CspctlTest : public ::testing::Test {
 protected:
  // Paths in outputs stay relative, so the golden files do not depend on the checkout.
  static void SetUpTestSuite() { ASSERT_EQ(chdir(CLI_TESTDATA), 0); }

  static CommandResult Cspctl(std::vector<std::string> args, const std::string& stdin_data = "") {
    args.insert(args.begin(), CSPCTL_PATH);
    return csp::test::Run(args, stdin_data, 60);
  }

  static std::string ReadText(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  static void ExpectGolden(const std::string& name, const std::string& actual) {
    const std::string path = std::string("golden/") + name;
    if (std::getenv("CSP_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path) << actual;
      return;
    }
    EXPECT_EQ(actual, ReadText(path))
        << "golden file tests/cli/testdata/" << path << " differs; CSP_UPDATE_GOLDEN=1 rewrites it";
  }
};

// --- golden outputs -------------------------------------------------------------------------

TEST_F(CspctlTest, GoldenTableWithDefaultPolicy) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "workloads"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.out.find('\033'), std::string::npos) << "colour when stdout is not a terminal";
  ExpectGolden("default.table", r.out);
}

TEST_F(CspctlTest, GoldenJsonWithTwoPolicies) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-p", "policies/team.yaml", "--policy",
                            "policies/lab.yaml", "-o", "json", "workloads"});
  EXPECT_EQ(r.exit_code, 1) << r;
  ExpectGolden("policies.json", r.out);
}

TEST_F(CspctlTest, GoldenYamlWithTwoPolicies) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-p", "policies/team.yaml", "-p",
                            "policies/lab.yaml", "-o", "yaml", "workloads"});
  EXPECT_EQ(r.exit_code, 1) << r;
  ExpectGolden("policies.yaml", r.out);
}

TEST_F(CspctlTest, GoldenOpenReportsYaml) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-p", "policies/team.yaml", "-o", "yaml",
                            "--report-api", "openreports", "workloads"});
  EXPECT_EQ(r.exit_code, 1) << r;
  ExpectGolden("team.openreports.yaml", r.out);
}

TEST_F(CspctlTest, GoldenBothReportApisJson) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-p", "policies/team.yaml", "-o", "json",
                            "--report-api=both", "workloads"});
  EXPECT_EQ(r.exit_code, 1) << r;
  ExpectGolden("team.both.json", r.out);
}

TEST_F(CspctlTest, GoldenSarif) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-o", "sarif", "workloads"});
  EXPECT_EQ(r.exit_code, 1) << r;
  ExpectGolden("default.sarif", r.out);
}

// Docker inputs (controls.md "Docker and Compose"): a Compose file and `docker inspect` output
// in a directory, and a file of `docker run` lines, through the same engine and writers.
TEST_F(CspctlTest, GoldenDockerInputs) {
  const std::vector<std::string> args = {"scan",
                                         "--now",
                                         kNow,
                                         "--env-file",
                                         "docker/test.env",
                                         "--run-lines",
                                         "docker/run-lines.txt",
                                         "docker"};
  CommandResult table = Cspctl(args);
  EXPECT_EQ(table.exit_code, 1) << table;
  EXPECT_EQ(table.err, "");
  ExpectGolden("docker.table", table.out);
  std::vector<std::string> sarif_args = args;
  sarif_args.insert(sarif_args.begin() + 1, {"-o", "sarif"});
  CommandResult sarif = Cspctl(sarif_args);
  EXPECT_EQ(sarif.exit_code, 1) << sarif;
  ExpectGolden("docker.sarif", sarif.out);
  std::vector<std::string> json_args = args;
  json_args.insert(json_args.begin() + 1, {"-o", "json"});
  CommandResult reports = Cspctl(json_args);
  EXPECT_EQ(reports.exit_code, 1) << reports;
  ExpectGolden("docker.json", reports.out);
}

// Custom kinds (api.md "WorkloadKind"): a Rollout and a PyTorchJob declared by --kinds, each
// pod template judged and reported on its own; a policy naming them with their group.
TEST_F(CspctlTest, GoldenCustomKinds) {
  CommandResult table =
      Cspctl({"scan", "--now", kNow, "--kinds", "custom-kinds/kinds.yaml", "custom-kinds/objects"});
  EXPECT_EQ(table.exit_code, 1) << table;
  EXPECT_EQ(table.err, "");
  ExpectGolden("custom-kinds.table", table.out);
  CommandResult reports =
      Cspctl({"scan", "--now", kNow, "--kinds", "custom-kinds/kinds.yaml", "-p",
              "custom-kinds/policy.yaml", "-o", "json", "custom-kinds/objects"});
  EXPECT_EQ(reports.exit_code, 1) << reports;
  ExpectGolden("custom-kinds.json", reports.out);
  // Every result names its template; the exemption names train, so it covers both templates.
  std::map<std::string, std::string> non_root;
  const json list = json::parse(reports.out);
  for (const json& report : list["items"]) {
    for (const json& r : report["results"]) {
      const json& res = r["resources"][0];
      ASSERT_TRUE(r["properties"].contains("podTemplate")) << r;
      if (r["rule"] == "require-non-root") {
        non_root[res["name"].get<std::string>() + "/" +
                 r["properties"]["podTemplate"].get<std::string>()] = r["result"];
      }
    }
  }
  EXPECT_EQ(non_root, (std::map<std::string, std::string>{{"train/Master", "skip"},
                                                          {"train/Worker", "skip"},
                                                          {"web/spec.template", "fail"}}));
}

TEST_F(CspctlTest, CustomKindsAreIgnoredWithoutTheirDeclaration) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-o", "json", "custom-kinds/objects"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(json::parse(r.out)["items"], json::array());
}

TEST_F(CspctlTest, InvalidWorkloadKindRefusesTheScanNamingEachField) {
  CommandResult r =
      Cspctl({"scan", "--kinds", "custom-kinds/invalid-kind.yaml", "custom-kinds/objects"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("custom-kinds/invalid-kind.yaml:1: invalid WorkloadKind \"broken\":"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("spec.version: \"1\" is not an API version"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("spec.podTemplatePaths[0]: \"spec..template\" has an empty segment"),
            std::string::npos)
      << r.err;
}

TEST_F(CspctlTest, DockerRunLineAndInspectFromStdin) {
  CommandResult clean = Cspctl({"scan", "--run-line",
                                "docker run -u 1000 --cap-drop=ALL --security-opt "
                                "no-new-privileges nginx"});
  EXPECT_EQ(clean.exit_code, 0) << clean;
  CommandResult root = Cspctl({"scan", "--run-line", "podman run -itu0 alpine"});
  EXPECT_EQ(root.exit_code, 1) << root;
  EXPECT_NE(root.out.find("Container  run-line-1"), std::string::npos) << root;
  CommandResult inspect = Cspctl({"scan", "-"}, ReadText("docker/inspect.json"));
  EXPECT_EQ(inspect.exit_code, 1) << inspect;
  EXPECT_NE(inspect.out.find("Container  cache"), std::string::npos) << inspect;
}

TEST_F(CspctlTest, ComposeWithoutItsVariablesIsAnInputError) {
  CommandResult r = Cspctl({"scan", "docker/compose.yaml"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_EQ(r.err,
            "docker/compose.yaml:4: services.web: variable \"CSP_TEST_TAG\" is not set and has "
            "no default\n");
  EXPECT_NE(r.out.find("ComposeService  agent"), std::string::npos) << "the rest is scanned";
}

TEST_F(CspctlTest, ComposeReadsTheEnvFileBesideItUnlessGivenOne) {
  CommandResult dot_env = Cspctl({"scan", "docker-dotenv/compose.yaml"});
  EXPECT_EQ(dot_env.exit_code, 0) << dot_env;  // user 1000 from .env
  CommandResult given = Cspctl({"scan", "--env-file", "docker/test.env", "docker-dotenv"});
  EXPECT_EQ(given.exit_code, 2) << given;
  EXPECT_EQ(given.err,
            "docker-dotenv/compose.yaml:2: services.app: variable \"CSP_TEST_IMAGE\" is not set "
            "and has no default\n");
}

TEST_F(CspctlTest, HostileDockerInputIsRefusedCleanly) {
  const std::string deep = "services:\n  a: " + std::string(5000, '[') + std::string(5000, ']');
  const std::string typed = "services:\n  a: {privileged: [1], user: {}}\n  b: {image: x}\n";
  const std::string inspect = R"([{"Name": "/a", "HostConfig": {"Binds": 7}}, 1,
                                   {"Name": "/b", "HostConfig": {}, "Config": {"User": "0"}}])";
  std::string big_text = "services:\n";
  for (int i = 0; i < 20000; ++i) big_text += "  s" + std::to_string(i) + ": {user: \"1\"}\n";
  const std::string& big = big_text;
  for (const std::string* input : {&deep, &typed, &inspect, &big}) {
    CommandResult r = Cspctl({"scan", "-o", "json", "-"}, *input);
    EXPECT_LT(r.exit_code, 128) << "crashed: " << r;
    if (input != &big) {
      EXPECT_EQ(r.exit_code, 2) << r;
      EXPECT_NE(r.err.find("<stdin>:"), std::string::npos) << r;
    }
  }
  CommandResult typed_r = Cspctl({"scan", "-"}, typed);
  EXPECT_EQ(typed_r.err,
            "<stdin>:2: services.a.privileged: expected a boolean, got array\n"
            "<stdin>:2: services.a.user: expected a string, got object\n");
  EXPECT_NE(typed_r.out.find("ComposeService  b"), std::string::npos) << typed_r;
  CommandResult inspect_r = Cspctl({"scan", "-"}, inspect);
  EXPECT_EQ(inspect_r.err,
            "<stdin>:1: docker inspect output: [0].HostConfig.Binds: expected an array, got "
            "integer\n<stdin>:1: docker inspect output: [1]: expected an object, got integer\n");
  EXPECT_NE(inspect_r.out.find("Container  b"), std::string::npos) << inspect_r;
  CommandResult quote = Cspctl({"scan", "--run-line", "docker run -u 'root nginx", "--run-line",
                                "docker run --privileged nginx"});
  EXPECT_EQ(quote.exit_code, 2) << quote;
  EXPECT_EQ(quote.err, "<run-line>:1: run line: unterminated single quote\n");
  EXPECT_NE(quote.out.find("run-line-2"), std::string::npos) << quote;
}

// The golden files restate the set of controls (SARIF lists every rule; JSON and YAML report
// a result per rule). When the registry changes, this says so plainly, before the golden
// diffs above do.
// --- cspctl fix ------------------------------------------------------------------------------

// The fixed file and what fix printed, with the temporary directory's path taken out.
TEST_F(CspctlTest, GoldenFixInPlace) {
  csp::test::TempDir dir;
  const std::string file = (dir.path() / "deployments.yaml").string();
  const std::string original = ReadText("workloads/deployments.yaml");
  csp::test::WriteText(file, original);
  // The policy selects namespaces by label: their Namespace objects come along.
  const std::string namespaces = (dir.path() / "namespaces.yaml").string();
  csp::test::WriteText(namespaces, ReadText("workloads/namespaces.yaml"));
  const std::string input = dir.path().string();
  CommandResult r = Cspctl({"fix", "--now", kNow, "-p", "policies/team.yaml", input});
  EXPECT_EQ(r.exit_code, 0) << r;
  std::string out = r.out;
  for (std::size_t at; (at = out.find(dir.path().string())) != std::string::npos;) {
    out.replace(at, dir.path().string().size(), "TMP");
  }
  ExpectGolden("fix.out", out);
  const std::string fixed = ReadText(file);
  ExpectGolden("deployments.fixed.yaml", fixed);
  // Only edited lines differ: every original line is still there, in order, but those fixed.
  std::istringstream was(original), now(fixed);
  std::vector<std::string> kept;
  for (std::string line; std::getline(now, line);) kept.push_back(line);
  std::size_t at = 0, missing = 0;
  for (std::string line; std::getline(was, line);) {
    auto it = std::find(kept.begin() + at, kept.end(), line);
    if (it == kept.end()) {
      ++missing;
    } else {
      at = it - kept.begin() + 1;
    }
  }
  EXPECT_LE(missing, 4u) << fixed;
  // What it fixed no longer fails; a second run has nothing to do.
  CommandResult scan =
      Cspctl({"scan", "--now", kNow, "-p", "policies/team.yaml", "-o", "json", input});
  EXPECT_EQ(scan.out.find("\"fix\": \"patch\""), std::string::npos) << scan;
  CommandResult again = Cspctl({"fix", "--now", kNow, "-p", "policies/team.yaml", input});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(ReadText(file), fixed);
}

TEST_F(CspctlTest, GoldenFixKustomize) {
  csp::test::TempDir dir;
  CommandResult r = Cspctl({"fix", "--now", kNow, "-p", "policies/team.yaml", "--kustomize",
                            (dir.path() / "out").string(), "workloads"});
  EXPECT_EQ(r.exit_code, 0) << r;
  ExpectGolden("fix.kustomization.yaml",
               ReadText((dir.path() / "out/kustomization.yaml").string()));
}

TEST_F(CspctlTest, FixUsage) {
  CommandResult help = Cspctl({"fix", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--kustomize DIR"), std::string::npos);
  EXPECT_NE(Cspctl({"--help"}).out.find("cspctl fix"), std::string::npos);
  EXPECT_EQ(Cspctl({"fix"}).exit_code, 2);
  EXPECT_EQ(Cspctl({"fix", "--bogus", "workloads"}).exit_code, 2);
  EXPECT_EQ(Cspctl({"fix", "--kustomize"}).exit_code, 2);
  CommandResult in = Cspctl({"fix", "-"},
                            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                            "spec: {containers: [{name: a}]}\n");
  EXPECT_EQ(in.exit_code, 1) << in;
  EXPECT_NE(in.err.find("stdin cannot be edited in place"), std::string::npos) << in;
}

TEST_F(CspctlTest, GoldenFilesListTheRegisteredControls) {
  std::vector<std::string> registered;
  for (const csp::policy::Control& c : csp::policy::AllControls()) registered.emplace_back(c.id);
  const json sarif = json::parse(ReadText("golden/default.sarif"));
  std::vector<std::string> golden;
  for (const json& rule : sarif["runs"][0]["tool"]["driver"]["rules"]) {
    golden.push_back(rule["id"].get<std::string>());
  }
  EXPECT_EQ(golden, registered)
      << "the control registry (AllControls) changed: the golden files of tests/cli/testdata/"
         "golden list the old set; rewrite them with CSP_UPDATE_GOLDEN=1 and review the diff";
}

// --- semantics visible through the CLI ------------------------------------------------------

TEST_F(CspctlTest, JsonIsAListOfPolicyReportsPerNamespaceAndPolicy) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-p", "policies/team.yaml", "-p",
                            "policies/lab.yaml", "-o", "json", "workloads"});
  json list = json::parse(r.out);
  EXPECT_EQ(list["apiVersion"], "v1");
  EXPECT_EQ(list["kind"], "List");
  std::vector<std::string> reports;
  for (const json& item : list["items"]) {
    EXPECT_EQ(item["kind"], "PolicyReport");
    reports.push_back(item["metadata"]["namespace"].get<std::string>() + "/" +
                      item["metadata"]["name"].get<std::string>());
  }
  // prod matches namespaces labeled tier=prod (shop); lab matches lab and default by name.
  EXPECT_EQ(reports, (std::vector<std::string>{"shop/csp-prod", "default/csp-lab", "lab/csp-lab"}));
}

// --report-api: the same reports in the other API. With both, each PolicyReport is followed by
// its Report; they differ only in apiVersion, kind and the Report's top-level source.
TEST_F(CspctlTest, ReportApiWritesTheSameReportsInEitherApi) {
  auto scan = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "scan", "--now", kNow,       "-p", "policies/team.yaml", "-p", "policies/lab.yaml",
        "-o",   "json",  "workloads"};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult r = Cspctl(args);
    EXPECT_EQ(r.exit_code, 1) << r;
    return json::parse(r.out)["items"];
  };
  const json wg = scan({});
  const json open = scan({"--report-api", "openreports"});
  const json both = scan({"--report-api", "both"});
  EXPECT_EQ(scan({"--report-api", "wgpolicyk8s"}), wg);
  ASSERT_EQ(wg.size(), 3u);
  ASSERT_EQ(open.size(), wg.size());
  ASSERT_EQ(both.size(), 2 * wg.size());
  for (std::size_t i = 0; i < wg.size(); ++i) {
    EXPECT_EQ(open[i]["apiVersion"], "openreports.io/v1alpha1");
    EXPECT_EQ(open[i]["kind"], "Report");
    EXPECT_EQ(open[i]["source"], "containersecurity");
    EXPECT_FALSE(wg[i].contains("source"));
    json as_wg = open[i];
    as_wg.erase("source");
    as_wg["apiVersion"] = "wgpolicyk8s.io/v1alpha2";
    as_wg["kind"] = "PolicyReport";
    EXPECT_EQ(as_wg, wg[i]);
    EXPECT_EQ(both[2 * i], wg[i]);
    EXPECT_EQ(both[2 * i + 1], open[i]);
  }
}

TEST_F(CspctlTest, ReportApiRefusesAnUnknownValueNamingTheFlag) {
  for (const char* bad : {"OpenReports", "wgpolicyk8s.io", ""}) {
    CommandResult r = Cspctl({"scan", "-o", "json", "--report-api", bad, "workloads"});
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_NE(r.err.find("--report-api: \"" + std::string(bad) +
                         "\" is not wgpolicyk8s, "
                         "openreports or both"),
              std::string::npos)
        << r;
  }
  CommandResult missing = Cspctl({"scan", "workloads", "--report-api"});
  EXPECT_EQ(missing.exit_code, 2) << missing;
  EXPECT_NE(missing.err.find("--report-api needs a value"), std::string::npos) << missing;
}

TEST_F(CspctlTest, ExemptionAppliesUntilItExpires) {
  auto apparmor_of_legacy = [&](const char* now) {
    CommandResult r =
        Cspctl({"scan", "--now", now, "-p", "policies/team.yaml", "-o", "json", "workloads"});
    const json list = json::parse(r.out);
    for (const json& item : list["items"]) {
      for (const json& res : item["results"]) {
        if (res["rule"] == "require-apparmor" && res["resources"][0]["name"] == "legacy-api") {
          return res["result"].get<std::string>();
        }
      }
    }
    return std::string("missing");
  };
  EXPECT_EQ(apparmor_of_legacy("2027-03-31T00:00:00Z"), "skip");
  EXPECT_EQ(apparmor_of_legacy("2027-03-31T00:00:01Z"), "fail");
}

TEST_F(CspctlTest, CompliantInputExitsZero) {
  const std::string both = ReadText("workloads/deployments.yaml");
  CommandResult r = Cspctl({"scan", "--now", kNow, "-"}, both.substr(0, both.find("---")));
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("1 workload scanned against 1 policy: 1 compliant, 0 failing"),
            std::string::npos)
      << r;
}

TEST_F(CspctlTest, StdinAndNamespaceFlag) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-n", "team-x", "-o", "json", "-"},
                           "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                           "spec: {containers: [{name: c, image: nginx}]}\n");
  EXPECT_EQ(r.exit_code, 1) << r;
  json list = json::parse(r.out);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["metadata"]["namespace"], "team-x");
}

TEST_F(CspctlTest, BrokenDocumentsAreReportedAndTheRestScanned) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-o", "json", "broken/mixed.yaml"});
  EXPECT_EQ(r.exit_code, 2) << r;  // input errors win over failures
  EXPECT_NE(r.err.find("broken/mixed.yaml:9: Deployment \"typo\": "
                       "spec.template.spec.containers: expected an array, got string"),
            std::string::npos)
      << r;
  EXPECT_NE(r.err.find("broken/mixed.yaml:17: Pod \"no-version\": kind Pod has no apiVersion"),
            std::string::npos)
      << r;
  json list = json::parse(r.out);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["results"][0]["resources"][0]["name"], "good-but-root");
}

// A half-edited document must not hide the violations after it: it is reported as FILE:LINE,
// the scan resumes at the next `---` line, and the exit code says the input was broken.
TEST_F(CspctlTest, SyntaxErrorBreaksItsDocumentOnly) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "broken/syntax.yaml"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_NE(r.err.find("broken/syntax.yaml:7: did not find expected ',' or ']' (while parsing a "
                       "flow sequence that starts at line 6)"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("2 workloads scanned"), std::string::npos) << r;
  EXPECT_NE(r.out.find("after-the-error"), std::string::npos) << r;
}

TEST_F(CspctlTest, BrokenFirstDocumentDoesNotHideTheRest) {
  CommandResult r = Cspctl({"scan", "--now", kNow, "-o", "json", "broken/syntax_first.yaml"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_NE(
      r.err.find("broken/syntax_first.yaml:3: mapping values are not allowed in this context"),
      std::string::npos)
      << r;
  json list = json::parse(r.out);
  ASSERT_EQ(list["items"].size(), 1u) << r;
  // Results are in rule order; find the one this document fails.
  const json& results = list["items"][0]["results"];
  auto result = std::find_if(results.begin(), results.end(),
                             [](const json& x) { return x["rule"] == "disallow-privileged"; });
  ASSERT_NE(result, results.end()) << r;
  EXPECT_EQ((*result)["resources"][0]["name"], "after-the-error") << r;
  EXPECT_EQ((*result)["policy"], "default") << r;
  EXPECT_EQ((*result)["result"], "fail") << r;
}

TEST_F(CspctlTest, InvalidPolicyNamesEveryBadField) {
  CommandResult r = Cspctl({"scan", "-p", "policies/invalid.yaml", "workloads"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_EQ(r.out, "");
  for (const char* want : {
           "policies/invalid.yaml:1: invalid ContainerSecurityPolicy \"broken\":",
           "spec.action: \"Quarantine\" is not one of Audit, Label, Isolate, ScaleDown",
           "spec.controls.capabilities.allowed[2]: \"SYS ADMIN\" is not a capability name",
           "spec.controls.seccomp.severity: \"urgent\" is not one of critical, high, medium, low, "
           "info",
           "spec.controls.seccomp.profile: unknown field",
           "spec.exemptions[0].reason: required",
       }) {
    EXPECT_NE(r.err.find(want), std::string::npos) << "missing: " << want << "\n" << r;
  }
}

// Whatever the CRD schema refuses, cspctl refuses too, naming the same field: each file in
// examples/invalid/ carries the path the API server names in an `# expect-error:` line.
TEST_F(CspctlTest, RefusesEveryInvalidExamplePolicy) {
  const std::string dir = std::string(CSP_REPO_ROOT) + "/examples/invalid";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string text = ReadText(entry.path());
    const std::string marker = "# expect-error: ";
    const std::size_t at = text.find(marker);
    ASSERT_NE(at, std::string::npos) << entry.path() << " has no expect-error line";
    std::string field = text.substr(at + marker.size(), text.find('\n', at) - at - marker.size());
    CommandResult r = Cspctl({"scan", "-p", entry.path(), "workloads"});
    EXPECT_EQ(r.exit_code, 2) << entry.path() << "\n" << r;
    EXPECT_NE(r.err.find(field), std::string::npos) << entry.path() << " wants " << field << "\n"
                                                    << r;
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

TEST_F(CspctlTest, MissingPathIsAnInputError) {
  CommandResult r = Cspctl({"scan", "no/such/dir"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_NE(r.err.find("no/such/dir"), std::string::npos) << r;
}

TEST_F(CspctlTest, HostileInputIsRefusedCleanly) {
  std::string laughs =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    laughs += std::string(1, c) + ": &" + c + " [*" + prev + ",*" + prev + ",*" + prev + ",*" +
              prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n";
  }
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) % 256);
  std::string long_line = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {x: \"" +
                          std::string(8 << 20, 'x') + "\"}\n";
  for (const std::string* input : {&laughs, &deep, &garbage, &long_line}) {
    CommandResult r = Cspctl({"scan", "-o", "json", "-"}, *input);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2) << r;
    EXPECT_LT(r.exit_code, 128) << "crashed: " << r;
    if (input != &long_line) {
      EXPECT_EQ(r.exit_code, 2) << r;
      EXPECT_NE(r.err.find("<stdin>:"), std::string::npos) << r;
    }
  }
}

TEST_F(CspctlTest, UsageErrors) {
  EXPECT_EQ(Cspctl({"scan"}).exit_code, 2);
  EXPECT_EQ(Cspctl({"scan", "-o", "xml", "workloads"}).exit_code, 2);
  EXPECT_EQ(Cspctl({"scan", "--bogus", "workloads"}).exit_code, 2);
  EXPECT_EQ(Cspctl({"scan", "--now", "yesterday", "workloads"}).exit_code, 2);
  EXPECT_EQ(Cspctl({"frobnicate"}).exit_code, 2);
  CommandResult r = Cspctl({"scan", "-o", "xml", "workloads"});
  EXPECT_NE(r.err.find("unknown output format \"xml\""), std::string::npos) << r;
  EXPECT_EQ(Cspctl({"scan", "--insecure-registry"}).exit_code, 2);
  EXPECT_EQ(Cspctl({"images"}).exit_code, 2);
  EXPECT_EQ(Cspctl({"images", "-o", "yaml", "workloads"}).exit_code, 2);
  CommandResult ca =
      Cspctl({"scan", "--verify-images", "--registry-ca", "/nonexistent/ca.pem", "workloads"});
  EXPECT_EQ(ca.exit_code, 2) << ca;
  EXPECT_NE(ca.err.find("/nonexistent/ca.pem"), std::string::npos) << ca;
}

TEST_F(CspctlTest, HelpAndVersion) {
  CommandResult scan_help = Cspctl({"scan", "--help"});
  EXPECT_EQ(scan_help.exit_code, 0);
  EXPECT_NE(scan_help.out.find("--policy FILE"), std::string::npos);
  CommandResult help = Cspctl({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("cspctl scan"), std::string::npos);
  EXPECT_NE(help.out.find("cspctl images"), std::string::npos);
  CommandResult scan_flags = Cspctl({"scan", "--help"});
  EXPECT_NE(scan_flags.out.find("--verify-images"), std::string::npos);
  EXPECT_NE(scan_flags.out.find("--insecure-registry HOST"), std::string::npos);
  CommandResult images_help = Cspctl({"images", "--help"});
  EXPECT_EQ(images_help.exit_code, 0);
  EXPECT_NE(images_help.out.find("--key FILE"), std::string::npos);
  CommandResult version = Cspctl({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("cspctl ", 0), 0u) << version;
  EXPECT_EQ(Cspctl({"version", "--help"}).exit_code, 0);
}

TEST_F(CspctlTest, ColorOnlyWhenAsked) {
  CommandResult r = Cspctl({"scan", "--color", "always", "--now", kNow, "workloads"});
  EXPECT_NE(r.out.find('\033'), std::string::npos) << r;
}

TEST_F(CspctlTest, ScansTheExamples) {
  CommandResult r = Cspctl({"scan", std::string(CSP_REPO_ROOT) + "/examples/workloads"});
  EXPECT_EQ(r.exit_code, 1) << r;  // the examples hold both compliant and violating workloads
  EXPECT_NE(r.out.find(" compliant, "), std::string::npos) << r;
  EXPECT_EQ(r.out.find(" 0 compliant"), std::string::npos) << r;
  EXPECT_EQ(r.out.find(" 0 failing"), std::string::npos) << r;
}

// --pod-security-standard on Pod Security Admission's own fixtures (hack/fetch-psa-fixtures.sh;
// tests/policy/pss_fixtures_test.cc checks which rule fails each): every pass/ fixture of the
// newest version passes, every fail/ fixture fails, at both levels.
TEST_F(CspctlTest, PodSecurityStandardAgreesWithPsaFixtures) {
  const std::string repo = std::string(CLI_TESTDATA) + "/../../..";
  CommandResult newest = csp::test::Run(
      {"bash", "-c",
       "set -e; for l in baseline restricted; do bash \"$0\"/hack/fetch-psa-fixtures.sh "
       "--newest $l; done",
       repo},
      "", 300);
  if (newest.exit_code != 0) {
    if (std::getenv("CI") != nullptr) FAIL() << newest;
    GTEST_SKIP() << "PSA fixtures not available: " << newest.err;
  }
  std::istringstream dirs(newest.out);
  for (const char* level : {"baseline", "restricted"}) {
    std::string dir;
    ASSERT_TRUE(std::getline(dirs, dir)) << newest;
    for (const char* kind : {"pass", "fail"}) {
      SCOPED_TRACE(dir + "/" + kind);
      CommandResult r =
          Cspctl({"scan", "--pod-security-standard", level, "-o", "json", dir + "/" + kind});
      const bool pass = std::string(kind) == "pass";
      EXPECT_EQ(r.exit_code, pass ? 0 : 1) << r.err;
      const json reports = json::parse(r.out, nullptr, false);
      ASSERT_TRUE(reports.is_object()) << r;
      std::map<std::string, int> fails_by_pod;
      for (const json& report : reports["items"]) {
        for (const json& result : report["results"]) {
          EXPECT_EQ(result["policy"], std::string("pss-") + level);
          const std::string name = result["resources"][0]["name"];
          fails_by_pod[name] += result["result"] == "fail";
          EXPECT_TRUE(result["result"] != "error") << result.dump();
        }
      }
      EXPECT_FALSE(fails_by_pod.empty()) << r.out;
      for (const auto& [name, fails] : fails_by_pod) {
        EXPECT_EQ(fails > 0, !pass)
            << level << " " << kind << "/" << name << ": " << fails << " failing rules";
      }
    }
  }
}

}  // namespace
