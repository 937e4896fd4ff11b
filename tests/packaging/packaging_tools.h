// Test support for the packaging tests: the helm and kubectl binaries of the caches, the chart
// rendered by `helm template`, config/ built by `kubectl kustomize`, and YAML streams as JSON.
// No cluster: every command here works offline.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "subprocess.h"

namespace csp::packaging {

// The repository root (the CMake source folder).
std::filesystem::path RepoRoot();
// charts/csp-operator under RepoRoot().
std::filesystem::path ChartDir();

// `helm`: $CSP_HELM, else the newest ~/.cache/csp-operator/test-tools/*/bin/helm
// (hack/build-test-tools.sh). nullopt when there is none.
std::optional<std::filesystem::path> HelmBinary();
// `kubectl`: $CSP_KUBECTL, else the newest ~/.cache/csp-operator/control-plane/*/bin/kubectl
// (hack/build-control-plane.sh). nullopt when there is none.
std::optional<std::filesystem::path> KubectlBinary();

// The documents of a YAML stream, empty ones dropped; adds a test failure for a broken one.
std::vector<nlohmann::json> ParseYaml(const std::string& text);

// `helm template csp-operator <chart> -n csp-system <args>`.
test::CommandResult HelmTemplate(const std::vector<std::string>& args = {});
// The objects HelmTemplate renders; adds a test failure (and returns none) when it fails.
std::vector<nlohmann::json> RenderChart(const std::vector<std::string>& args = {});
// The objects `kubectl kustomize <dir>` builds; adds a test failure when it fails.
std::vector<nlohmann::json> Kustomize(const std::filesystem::path& dir);

// "Kind namespace/name" (namespace empty for cluster-scoped objects), for maps and messages.
std::string ObjectKey(const nlohmann::json& object);

// Skips the test, saying how to get them, when helm or kubectl is missing.
class PackagingTest : public ::testing::Test {
 protected:
  void SetUp() override;
};

}  // namespace csp::packaging
