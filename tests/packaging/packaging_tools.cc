#include "packaging_tools.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "csp/manifest/manifest_reader.h"

namespace csp::packaging {
namespace fs = std::filesystem;

namespace {

// $env when set (even to a missing file: the caller then skips), else the newest
// $HOME/<cache>/*/bin/<name>.
std::optional<fs::path> FindTool(const char* env, const std::string& cache,
                                 const std::string& name) {
  if (const char* path = std::getenv(env); path != nullptr && *path != '\0') {
    if (fs::exists(path)) return fs::path(path);
    return std::nullopt;
  }
  const char* home = std::getenv("HOME");
  std::error_code ec;
  std::optional<fs::path> newest;
  for (const auto& entry : fs::directory_iterator(fs::path(home ? home : "/") / cache, ec)) {
    const fs::path candidate = entry.path() / "bin" / name;
    if (fs::exists(candidate) && (!newest || candidate > *newest)) newest = candidate;
  }
  return newest;
}

}  // namespace

fs::path RepoRoot() { return CSP_REPO_ROOT; }
fs::path ChartDir() { return RepoRoot() / "charts" / "csp-operator"; }

std::optional<fs::path> HelmBinary() {
  return FindTool("CSP_HELM", ".cache/csp-operator/test-tools", "helm");
}

std::optional<fs::path> KubectlBinary() {
  return FindTool("CSP_KUBECTL", ".cache/csp-operator/control-plane", "kubectl");
}

std::vector<nlohmann::json> ParseYaml(const std::string& text) {
  std::vector<nlohmann::json> objects;
  manifest::ParseManifests(
      text, "<yaml>", manifest::Limits{},
      [&](manifest::Document&& doc) {
        if (!doc.value.is_null()) objects.push_back(std::move(doc.value));
      },
      [](manifest::ReadError&& error) {
        ADD_FAILURE() << "broken YAML at line " << error.line << ": " << error.message;
      });
  return objects;
}

test::CommandResult HelmTemplate(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {HelmBinary().value_or("helm").string(),
                                   "template",
                                   "csp-operator",
                                   ChartDir().string(),
                                   "-n",
                                   "csp-system"};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::Run(argv);
}

std::vector<nlohmann::json> RenderChart(const std::vector<std::string>& args) {
  const test::CommandResult r = HelmTemplate(args);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "helm template: " << r;
    return {};
  }
  return ParseYaml(r.out);
}

std::vector<nlohmann::json> Kustomize(const fs::path& dir) {
  const test::CommandResult r =
      test::Run({KubectlBinary().value_or("kubectl").string(), "kustomize", dir.string()});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "kubectl kustomize " << dir << ": " << r;
    return {};
  }
  return ParseYaml(r.out);
}

std::string ObjectKey(const nlohmann::json& object) {
  const nlohmann::json& meta = object.value("metadata", nlohmann::json::object());
  return object.value("kind", "") + " " + meta.value("namespace", "") + "/" +
         meta.value("name", "");
}

void PackagingTest::SetUp() {
  if (!HelmBinary()) {
    GTEST_SKIP() << "no helm in ~/.cache/csp-operator/test-tools/*/bin (run "
                    "hack/build-test-tools.sh, or set CSP_HELM)";
  }
  if (!KubectlBinary()) {
    GTEST_SKIP() << "no kubectl in ~/.cache/csp-operator/control-plane/*/bin (run "
                    "hack/build-control-plane.sh, or set CSP_KUBECTL)";
  }
}

}  // namespace csp::packaging
