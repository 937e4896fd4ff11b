// Test support: a fixture over real registries (registry_harness.h) holding images pushed by
// crane and signed by real cosign (cosign_signer.h) with two fresh key pairs, "release" and
// "other" (dir_/<name>.key and .pub, empty password). Skips without the test-tools cache.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cosign_signer.h"
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
    signer_ = std::make_unique<registry::testing::CosignSigner>(*bin_, dir_.path());
    for (const char* name : {"release", "other"}) signer_->GenerateKey(name);
  }

  std::unique_ptr<registry::testing::RegistryProcess> Start(
      const registry::testing::RegistryConfig& config = {}) {
    auto process = std::make_unique<registry::testing::RegistryProcess>(*bin_, config);
    EXPECT_EQ(process->error(), "");
    return process;
  }

  std::string Tool(const std::string& tool, std::vector<std::string> args) {
    return signer_->Tool(tool, std::move(args));
  }
  std::string PushRandom(const std::string& ref) { return signer_->PushRandom(ref); }
  void Sign(const std::string& ref_at_digest, const std::string& key, bool legacy = false) {
    signer_->Sign(ref_at_digest, key, legacy);
  }

  std::optional<std::filesystem::path> bin_;
  csp::test::TempDir dir_;
  std::unique_ptr<registry::testing::CosignSigner> signer_;
};

}  // namespace csp::imageverify::testing
