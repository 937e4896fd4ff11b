// One report, two APIs: ToJson/AppendJson in wgpolicyk8s.io/v1alpha2 and openreports.io/v1alpha1
// carry the same results and differ only in apiVersion, kind and OpenReports' top-level source;
// and every field either writes is one the API's real CRD (crds/) declares, with a value its
// enums allow, so that the API server neither prunes nor refuses any of it.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "csp/manifest/manifest_reader.h"
#include "csp/report/policy_report.h"

namespace csp::report {
namespace {

using json = nlohmann::json;
using names::ReportApi;
using policy::Outcome;

// A report that uses every field we write: a message, properties, a uid, every outcome.
PolicyReport FullReport() {
  std::vector<Entry> entries;
  const Outcome outcomes[] = {Outcome::kPass, Outcome::kFail, Outcome::kSkip, Outcome::kError};
  const char* severities[] = {"critical", "high", "medium", "low", "info"};
  for (int i = 0; i < 5; ++i) {
    entries.push_back(Entry{.resource = {.api_version = "apps/v1",
                                         .kind = "Deployment",
                                         .ns = "team-a",
                                         .name = "w" + std::to_string(i),
                                         .uid = "uid-" + std::to_string(i)},
                            .rule = "disallow-privileged",
                            .outcome = outcomes[i % 4],
                            .severity = severities[i],
                            .message = "container \"app\": privileged",
                            .properties = {{"containers", "app"}, {"remediation", "labeled"}},
                            .timestamp = {.seconds = 1700000000 + i, .nanos = 5}});
  }
  auto reports = BuildPolicyReports("baseline", "team-a", std::move(entries));
  EXPECT_EQ(reports.size(), 1u);
  return reports.at(0);
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object.items()) out.insert(key);
  return out;
}

TEST(ReportApiTest, WgPolicyK8sIsAPolicyReportWithoutTopLevelSource) {
  const json r = ToJson(FullReport(), ReportApi::kWgPolicyK8s);
  EXPECT_EQ(r["apiVersion"], "wgpolicyk8s.io/v1alpha2");
  EXPECT_EQ(r["kind"], "PolicyReport");
  EXPECT_EQ(Keys(r),
            (std::set<std::string>{"apiVersion", "kind", "metadata", "results", "summary"}));
}

TEST(ReportApiTest, OpenReportsIsAReportWithTopLevelSource) {
  const json r = ToJson(FullReport(), ReportApi::kOpenReports);
  EXPECT_EQ(r["apiVersion"], "openreports.io/v1alpha1");
  EXPECT_EQ(r["kind"], "Report");
  EXPECT_EQ(r["source"], "containersecurity");
  EXPECT_EQ(Keys(r), (std::set<std::string>{"apiVersion", "kind", "metadata", "results", "source",
                                            "summary"}));
}

TEST(ReportApiTest, BothApisCarryTheSameMetadataSummaryAndResults) {
  const PolicyReport report = FullReport();
  const json wg = ToJson(report, ReportApi::kWgPolicyK8s);
  const json open = ToJson(report, ReportApi::kOpenReports);
  EXPECT_EQ(wg["metadata"], open["metadata"]);
  EXPECT_EQ(wg["summary"], open["summary"]);
  EXPECT_EQ(wg["results"], open["results"]);
  ASSERT_EQ(open["results"].size(), 5u);
  // Every key of a result, in both: the result keys are identical across the APIs.
  for (const json& result : open["results"]) {
    EXPECT_EQ(Keys(result),
              (std::set<std::string>{"category", "message", "policy", "properties", "resources",
                                     "result", "rule", "severity", "source", "timestamp"}));
    EXPECT_EQ(result["source"], "containersecurity");
  }
  EXPECT_EQ(open["summary"],
            (json{{"pass", 2}, {"fail", 1}, {"warn", 0}, {"error", 1}, {"skip", 1}}));
}

TEST(ReportApiTest, AppendJsonPrintsWhatDumpPrintsInEitherApi) {
  const PolicyReport report = FullReport();
  for (ReportApi api : {ReportApi::kWgPolicyK8s, ReportApi::kOpenReports}) {
    SCOPED_TRACE(names::NamesOf(api).name);
    for (int indent : {-1, 2}) {
      std::string text;
      AppendJson(report, api, indent, 0, text);
      EXPECT_EQ(text, ToJson(report, api).dump(indent));
    }
  }
}

TEST(ReportApiTest, ReportApisOfTheFlagValues) {
  using V = std::vector<ReportApi>;
  EXPECT_EQ(names::ReportApisOf("wgpolicyk8s"), V{ReportApi::kWgPolicyK8s});
  EXPECT_EQ(names::ReportApisOf("openreports"), V{ReportApi::kOpenReports});
  EXPECT_EQ(names::ReportApisOf("both"), (V{ReportApi::kWgPolicyK8s, ReportApi::kOpenReports}));
  EXPECT_TRUE(names::ReportApisOf("OpenReports").empty());
  EXPECT_TRUE(names::ReportApisOf("").empty());
  EXPECT_EQ(names::ReportApisOf(names::kDefaultReportApi), V{ReportApi::kWgPolicyK8s});
}

// --- Against the CRDs ---------------------------------------------------------------------------

json LoadCrd(const std::string& file) {
  std::ifstream in(std::string(CSP_REPO_ROOT) + "/crds/" + file, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read crds/" << file;
  std::ostringstream text;
  text << in.rdbuf();
  std::optional<json> crd;
  manifest::ParseManifests(
      text.str(), file, manifest::Limits{.threads = 1},
      [&](manifest::Document&& d) {
        if (!d.value.is_null()) crd = std::move(d.value);
      },
      [&](manifest::ReadError&& e) { ADD_FAILURE() << e.ToString(); });
  EXPECT_TRUE(crd.has_value()) << file;
  return crd.value_or(json::object());
}

// Fails for every field of `value` that `schema` does not declare (the API server would prune
// it), every value outside an enum, every required field missing and every wrong JSON type.
void ExpectConforms(const json& value, const json& schema, const std::string& path) {
  const std::string type = schema.value("type", "");
  if (schema.contains("enum")) {
    bool found = false;
    for (const json& allowed : schema["enum"]) found = found || allowed == value;
    EXPECT_TRUE(found) << path << ": " << value.dump() << " not in " << schema["enum"].dump();
  }
  if (type == "string") {
    EXPECT_TRUE(value.is_string()) << path;
  } else if (type == "integer") {
    EXPECT_TRUE(value.is_number_integer()) << path;
  } else if (type == "boolean") {
    EXPECT_TRUE(value.is_boolean()) << path;
  } else if (type == "array") {
    ASSERT_TRUE(value.is_array()) << path;
    for (std::size_t i = 0; i < value.size(); ++i) {
      ExpectConforms(value[i], schema["items"], path + "[" + std::to_string(i) + "]");
    }
  } else if (type == "object") {
    ASSERT_TRUE(value.is_object()) << path;
    if (schema.contains("properties")) {
      for (const auto& [key, child] : value.items()) {
        const std::string at = path + "." + key;
        if (schema["properties"].contains(key)) {
          ExpectConforms(child, schema["properties"][key], at);
        } else {
          ADD_FAILURE() << at << " is not in the CRD's schema: the API server would prune it";
        }
      }
    } else if (schema.contains("additionalProperties")) {
      for (const auto& [key, child] : value.items()) {
        ExpectConforms(child, schema["additionalProperties"], path + "." + key);
      }
    }
    for (const json& required : schema.value("required", json::array())) {
      EXPECT_TRUE(value.contains(required.get<std::string>())) << path << "." << required;
    }
  }
}

struct CrdCase {
  ReportApi api;
  const char* file;
};

class ReportCrdTest : public testing::TestWithParam<CrdCase> {};

TEST_P(ReportCrdTest, EveryFieldWrittenIsDeclaredByTheCrd) {
  const names::ReportApiNames& names = names::NamesOf(GetParam().api);
  const json crd = LoadCrd(GetParam().file);
  EXPECT_EQ(crd["spec"]["group"], names.reports.group);
  EXPECT_EQ(crd["spec"]["names"]["kind"], names.reports.kind);
  EXPECT_EQ(crd["spec"]["names"]["plural"], names.reports.plural);
  EXPECT_EQ(crd["spec"]["scope"], "Namespaced");
  const json* schema = nullptr;
  for (const json& v : crd["spec"]["versions"]) {
    if (v["name"] == names.reports.version && v.value("served", false)) {
      schema = &v["schema"]["openAPIV3Schema"];
    }
  }
  ASSERT_NE(schema, nullptr) << "no served version " << names.reports.version;
  ExpectConforms(ToJson(FullReport(), GetParam().api), *schema, "");
}

INSTANTIATE_TEST_SUITE_P(
    BothApis, ReportCrdTest,
    testing::Values(CrdCase{ReportApi::kWgPolicyK8s, "wgpolicyk8s.io_policyreports.yaml"},
                    CrdCase{ReportApi::kOpenReports, "openreports.io_reports.yaml"}),
    [](const testing::TestParamInfo<CrdCase>& info) {
      return std::string(names::NamesOf(info.param.api).name);
    });

// The agent's node report is a cluster-scoped report of the same API (csp/agent/node_report.h).
TEST(ReportApiTest, ClusterKindsMatchTheirCrds) {
  for (auto [api, file] :
       {CrdCase{ReportApi::kWgPolicyK8s, "wgpolicyk8s.io_clusterpolicyreports.yaml"},
        CrdCase{ReportApi::kOpenReports, "openreports.io_clusterreports.yaml"}}) {
    const names::Resource& kind = names::NamesOf(api).cluster_reports;
    const json crd = LoadCrd(file);
    EXPECT_EQ(crd["spec"]["group"], kind.group) << file;
    EXPECT_EQ(crd["spec"]["names"]["kind"], kind.kind) << file;
    EXPECT_EQ(crd["spec"]["names"]["plural"], kind.plural) << file;
    EXPECT_EQ(crd["spec"]["scope"], "Cluster") << file;
    EXPECT_EQ(crd["metadata"]["name"], std::string(kind.plural) + "." + std::string(kind.group));
  }
}

}  // namespace
}  // namespace csp::report
