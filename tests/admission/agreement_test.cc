// Admission and `cspctl scan` never disagree: every workload of examples/workloads, under the
// default policy and under examples/policies, is refused by Deny exactly when the scan finds a
// failing rule for it, and warned by Warn once per failing rule.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "csp/admission/judge.h"
#include "csp/common/json_fields.h"
#include "csp/manifest/manifest_reader.h"
#include "csp/scan/scan.h"
#include "review_builder.h"
#include "test_util.h"

namespace csp::admission {
namespace {

using controllers::test::Now;
using json = nlohmann::json;
namespace fs = std::filesystem;

const std::string kExamples = std::string(CSP_REPO_ROOT) + "/examples";

// The workloads of examples/workloads (List items expanded, the namespace defaulted as the API
// server does) and the labels of each namespace, as cspctl scan gives them.
struct Examples {
  std::vector<json> objects;
  std::map<std::string, policy::Labels, std::less<>> namespace_labels;
};

Examples ReadExamples() {
  Examples out;
  auto add = [&](json object) {
    json& meta = object["metadata"];
    if (!meta.contains("namespace")) meta["namespace"] = "default";
    if (object["kind"] == "Namespace") {
      policy::Labels labels = policy::LabelsFromJson(FieldAt(meta, "labels"));
      labels["kubernetes.io/metadata.name"] = meta["name"];
      out.namespace_labels[meta["name"].get<std::string>()] = std::move(labels);
    } else if (policy::IsWorkloadKind(policy::ApiGroup(StringAt(object, "apiVersion")),
                                      StringAt(object, "kind"))) {
      out.objects.push_back(std::move(object));
    }
  };
  for (const auto& entry : fs::directory_iterator(kExamples + "/workloads")) {
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    manifest::ParseManifests(
        text.str(), entry.path().string(), {},
        [&](manifest::Document&& doc) {
          if (!doc.value.is_object()) return;
          if (const json* items = FieldAt(doc.value, "items")) {
            for (const json& item : *items) add(item);
          } else {
            add(std::move(doc.value));
          }
        },
        [](manifest::ReadError&& e) { ADD_FAILURE() << e.ToString(); });
  }
  return out;
}

const json* FindObject(const Examples& examples, const policy::WorkloadRef& ref) {
  for (const json& object : examples.objects) {
    if (StringAt(object, "kind") == ref.kind && object["metadata"]["name"] == ref.name &&
        object["metadata"]["namespace"] == ref.ns) {
      return &object;
    }
  }
  return nullptr;
}

void ExpectAgreement(const std::vector<std::string>& policy_files) {
  scan::ScanOptions options{
      .policy_files = policy_files, .paths = {kExamples + "/workloads"}, .now = Now()};
  std::istringstream in;
  std::ostringstream err;
  const scan::ScanResult scanned = scan::Scan(options, in, err);
  ASSERT_FALSE(scanned.aborted) << err.str();
  ASSERT_EQ(scanned.input_errors, 0) << err.str();
  const Examples examples = ReadExamples();
  ASSERT_EQ(examples.objects.size(), scanned.workloads.size());

  int refused = 0, admitted = 0;
  for (const scan::ScannedWorkload& w : scanned.workloads) {
    const std::string who = w.ref.kind + " " + w.ref.ns + "/" + w.ref.name;
    const json* object = FindObject(examples, w.ref);
    ASSERT_NE(object, nullptr) << who;
    std::vector<std::string> failing;  // "policy rule"
    for (std::size_t i = 0; i < scanned.policies.size(); ++i) {
      if (!w.results[i]) continue;  // not matched
      for (const policy::RuleResult& r : *w.results[i]) {
        if (r.outcome == policy::Outcome::kFail) {
          failing.push_back(scanned.policies[i].name + " " + std::string(r.rule));
        }
      }
    }
    auto labels = examples.namespace_labels.find(w.ref.ns);
    policy::Labels implicit = {{"kubernetes.io/metadata.name", w.ref.ns}};
    const policy::Labels* ns_labels =
        labels == examples.namespace_labels.end() ? &implicit : &labels->second;
    const AdmissionRequest request = test::MustParse(test::ReviewDoc("CREATE", *object));

    for (policy::Admission mode : {policy::Admission::kDeny, policy::Admission::kWarn}) {
      std::vector<policy::Policy> policies = scanned.policies;
      for (policy::Policy& p : policies) p.admission = mode;
      const Verdict v = Judge(request, policies, ns_labels, nullptr, {.now = Now()});
      if (mode == policy::Admission::kDeny) {
        EXPECT_EQ(v.allowed, failing.empty()) << who << ": " << v.message;
        EXPECT_TRUE(v.warnings.empty()) << who;
        for (const std::string& f : failing) {
          const std::string rule = f.substr(f.find(' ') + 1);
          EXPECT_NE(v.message.find(rule + ": "), std::string::npos) << who << ": " << rule;
        }
        (v.allowed ? admitted : refused)++;
      } else {
        EXPECT_TRUE(v.allowed) << who;
        EXPECT_EQ(v.warnings.size(), failing.size()) << who;
      }
    }
  }
  // The examples hold both kinds, so that agreement is tested both ways.
  EXPECT_GT(refused, 0);
  EXPECT_GT(admitted, 0);
}

TEST(AgreementTest, DefaultPolicy) { ExpectAgreement({}); }

TEST(AgreementTest, ExamplePolicies) {
  ExpectAgreement({kExamples + "/policies/baseline.yaml", kExamples + "/policies/strict.yaml"});
}

}  // namespace
}  // namespace csp::admission
