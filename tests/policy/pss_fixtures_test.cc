// spec.podSecurityStandard agrees with Pod Security Admission on PSA's own fixtures: every
// fixture of the newest version folder of test/testdata/{baseline,restricted}/ in the Go module
// k8s.io/pod-security-admission at the pinned Kubernetes version (hack/fetch-psa-fixtures.sh
// caches them) goes through the engine under a policy holding only the preset. A fail/ fixture
// must fail the control(s) its check maps to; a pass/ fixture must pass every control the preset
// enables. Skipped when the fixtures were not fetched, except under CI.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "csp/manifest/manifest_reader.h"
#include "csp/manifest/sources.h"
#include "csp/policy/engine.h"
#include "csp/policy/policy.h"
#include "test_util.h"

namespace csp::policy {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// PSA's check of a fixture (its file name without the trailing number) -> the rules that
// must fail it.
const std::map<std::string, std::vector<std::string>>& CheckRules() {
  static const std::map<std::string, std::vector<std::string>> rules = {
      {"allowprivilegeescalation", {"disallow-privilege-escalation"}},
      {"apparmorprofile", {"require-apparmor"}},
      {"capabilities_baseline", {"restrict-capabilities"}},
      {"capabilities_restricted", {"restrict-capabilities"}},
      {"hostnamespaces", {"disallow-host-namespaces"}},
      {"hostpathvolumes", {"restrict-host-path"}},
      {"hostports", {"restrict-host-ports"}},
      {"hostprobesandhostlifecycle", {"restrict-probe-hosts"}},
      {"privileged", {"disallow-privileged"}},
      {"procmount", {"restrict-proc-mount"}},
      {"procmount_restricted", {"restrict-proc-mount"}},
      {"restrictedvolumes", {"restrict-volume-types"}},
      {"runasnonroot", {"require-non-root"}},
      {"runasuser", {"require-non-root"}},
      {"seccompprofile_baseline", {"require-seccomp"}},
      {"seccompprofile_restricted", {"require-seccomp"}},
      {"selinuxoptions", {"restrict-selinux"}},
      {"sysctls", {"restrict-sysctls"}},
      {"windowshostprocess", {"disallow-host-process"}},
  };
  return rules;
}

std::optional<fs::path> FixturesRoot() {
  if (const char* dir = std::getenv("CSP_PSA_FIXTURES")) return fs::path(dir);
  fs::path cache;
  if (const char* d = std::getenv("CSP_CACHE_DIR")) {
    cache = d;
  } else if (const char* x = std::getenv("XDG_CACHE_HOME")) {
    cache = fs::path(x) / "csp-operator";
  } else if (const char* h = std::getenv("HOME")) {
    cache = fs::path(h) / ".cache/csp-operator";
  } else {
    return std::nullopt;
  }
  return cache / "psa-fixtures" / ("v" + std::string(PSA_MODULE_VERSION)) / "testdata";
}

// The v1.<minor> folder with the highest minor.
fs::path NewestVersion(const fs::path& level_dir) {
  fs::path best;
  int best_minor = -1;
  for (const auto& entry : fs::directory_iterator(level_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("v1.", 0) != 0) continue;
    const int minor = std::atoi(name.c_str() + 3);
    if (minor > best_minor) {
      best_minor = minor;
      best = entry.path();
    }
  }
  return best;
}

// "hostports12.yaml" -> "hostports".
std::string CheckOf(const fs::path& file) {
  std::string stem = file.stem().string();
  while (!stem.empty() && std::isdigit(static_cast<unsigned char>(stem.back()))) stem.pop_back();
  return stem;
}

struct Fixture {
  std::string level;  // baseline | restricted
  bool pass = false;
  fs::path file;
};

void PrintTo(const Fixture& f, std::ostream* os) { *os << f.file.string(); }

std::vector<Fixture> AllFixtures() {
  std::vector<Fixture> out;
  const auto root = FixturesRoot();
  if (!root || !fs::is_directory(*root)) return out;
  for (const char* level : {"baseline", "restricted"}) {
    const fs::path version = NewestVersion(*root / level);
    if (version.empty()) continue;
    for (const char* kind : {"pass", "fail"}) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(version / kind)) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) {
        out.push_back({.level = level, .pass = std::string(kind) == "pass", .file = f});
      }
    }
  }
  return out;
}

Policy Preset(const std::string& level) {
  auto p = ParsePolicy({{"apiVersion", "containersecurity.dev/v1alpha1"},
                        {"kind", "ContainerSecurityPolicy"},
                        {"metadata", {{"name", "pss-" + level}}},
                        {"spec", {{"podSecurityStandard", level}}}});
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

std::vector<json> ReadObjects(const fs::path& file) {
  std::vector<json> out;
  auto text = manifest::ReadFile(file.string());
  EXPECT_TRUE(text) << text.error().message;
  if (!text) return out;
  manifest::ParseManifests(
      *text, file.string(), manifest::Limits{.threads = 1},
      [&](manifest::Document&& d) {
        if (!d.value.is_null()) out.push_back(std::move(d.value));
      },
      [&](manifest::ReadError&& e) { ADD_FAILURE() << e.ToString(); });
  return out;
}

class PssFixturesTest : public testing::TestWithParam<Fixture> {};

TEST_P(PssFixturesTest, PresetAgreesWithPodSecurityAdmission) {
  const Fixture& f = GetParam();
  const Policy policy = Preset(f.level);
  for (const json& object : ReadObjects(f.file)) {
    auto workload = AsWorkload(object, "default");
    ASSERT_TRUE(workload && *workload) << f.file;
    auto results = Evaluate(policy, **workload, {.now = std::chrono::sys_seconds{}});
    ASSERT_TRUE(results) << results.error().message;
    std::map<std::string, const RuleResult*, std::less<>> by_rule;
    for (const RuleResult& r : *results) by_rule.emplace(std::string(r.rule), &r);
    if (f.pass) {
      for (const RuleResult& r : *results) {
        EXPECT_TRUE(r.outcome == Outcome::kPass || r.outcome == Outcome::kSkip)
            << f.level << " " << f.file.filename() << ": " << r.rule << " is "
            << OutcomeName(r.outcome) << ": " << r.message;
      }
      continue;
    }
    const auto rules = CheckRules().find(CheckOf(f.file));
    ASSERT_NE(rules, CheckRules().end())
        << "PSA check " << CheckOf(f.file) << " maps to no rule: add it to CheckRules()";
    for (const std::string& rule : rules->second) {
      const auto r = by_rule.find(rule);
      ASSERT_NE(r, by_rule.end()) << "no rule " << rule;
      EXPECT_EQ(r->second->outcome, Outcome::kFail)
          << f.level << " " << f.file.filename() << ": " << rule << " is "
          << OutcomeName(r->second->outcome) << " (" << r->second->message << ")";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Psa, PssFixturesTest, testing::ValuesIn(AllFixtures()),
                         [](const testing::TestParamInfo<Fixture>& info) {
                           std::string name = info.param.level + "_" +
                                              (info.param.pass ? "pass_" : "fail_") +
                                              info.param.file.stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PssFixturesTest);

// The fixtures are there (CI fetches them: hack/test.sh), and both levels have both kinds.
TEST(PssFixturesPresentTest, BothLevelsHavePassAndFailFixtures) {
  const std::vector<Fixture> all = AllFixtures();
  if (all.empty() && std::getenv("CI") == nullptr) {
    GTEST_SKIP() << "PSA fixtures not fetched (run hack/fetch-psa-fixtures.sh)";
  }
  std::map<std::string, int> count;
  for (const Fixture& f : all) ++count[f.level + (f.pass ? "/pass" : "/fail")];
  for (const char* k : {"baseline/pass", "baseline/fail", "restricted/pass", "restricted/fail"}) {
    EXPECT_GT(count[k], 0) << k << " under " << FixturesRoot().value_or("?");
  }
}

}  // namespace
}  // namespace csp::policy
