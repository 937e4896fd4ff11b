// Test support: real registries (registry_harness.h) holding images pushed by crane and signed
// by real cosign (hack/build-test-tools.sh) with two fresh key pairs, "release" and "other"
// (dir_/<name>.key and .pub, empty password). Skips without the test-tools cache.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "registry_harness.h"
#include "subprocess.h"
#include "temp_dir.h"

namespace csp::imageverify::testing {

class SignedImagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = registry::testing::TestToolsBin();
    if (!bin_ || !std::filesystem::exists(*bin_ / "cosign")) {
      GTEST_SKIP() << "no registry/crane/cosign in ~/.cache/csp-operator/test-tools/*/bin (run "
                      "hack/build-test-tools.sh, or set CSP_TEST_TOOLS_BIN)";
    }
    // crane and cosign read credentials from $DOCKER_CONFIG/config.json.
    setenv("DOCKER_CONFIG", (dir_.path() / "docker").c_str(), 1);
    setenv("COSIGN_PASSWORD", "", 1);
    csp::test::WriteText(dir_.path() / "docker/config.json", R"({"auths":{}})");
    for (const char* name : {"release", "other"}) {
      auto r = csp::test::Run({(*bin_ / "cosign").string(), "generate-key-pair",
                               "--output-key-prefix", (dir_.path() / name).string()});
      ASSERT_EQ(r.exit_code, 0) << r;
    }
  }

  std::unique_ptr<registry::testing::RegistryProcess> Start(
      const registry::testing::RegistryConfig& config = {}) {
    auto process = std::make_unique<registry::testing::RegistryProcess>(*bin_, config);
    EXPECT_EQ(process->error(), "");
    return process;
  }

  // Runs `tool` (crane, cosign) from the cache; its output, trimmed.
  std::string Tool(const std::string& tool, std::vector<std::string> args) {
    args.insert(args.begin(), (*bin_ / tool).string());
    auto result = csp::test::Run(args, "", 120);
    EXPECT_EQ(result.exit_code, 0) << result;
    std::string out = result.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }

  // Pushes a one-layer image of random bytes to `ref` (host/repo:tag); returns its digest.
  std::string PushRandom(const std::string& ref) {
    const std::filesystem::path layer = dir_.path() / "layer";
    auto random = csp::test::Run({"head", "-c", "4096", "/dev/urandom"});
    csp::test::WriteText(layer / "random.bin", random.out);
    auto tar = csp::test::Run(
        {"tar", "-cf", (dir_.path() / "layer.tar").string(), "-C", layer.string(), "random.bin"});
    EXPECT_EQ(tar.exit_code, 0) << tar;
    Tool("crane", {"append", "--insecure", "--oci-empty-base", "-f",
                   (dir_.path() / "layer.tar").string(), "-t", ref});
    return Tool("crane", {"digest", "--insecure", ref});
  }

  // cosign sign of `ref_at_digest` with key `key` (release or other); legacy: the
  // sha256-<hex>.sig layout instead of the v3 bundle.
  void Sign(const std::string& ref_at_digest, const std::string& key, bool legacy = false) {
    std::vector<std::string> args = {"sign",
                                     "--key",
                                     (dir_.path() / (key + ".key")).string(),
                                     "--tlog-upload=false",
                                     "--use-signing-config=false",
                                     "--allow-http-registry",
                                     "--allow-insecure-registry",
                                     "-y"};
    if (legacy) args.push_back("--new-bundle-format=false");
    args.push_back(ref_at_digest);
    Tool("cosign", args);
  }

  std::optional<std::filesystem::path> bin_;
  csp::test::TempDir dir_;
};

}  // namespace csp::imageverify::testing
