#include "cosign_signer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "subprocess.h"
#include "temp_dir.h"

namespace csp::registry::testing {

namespace fs = std::filesystem;

CosignSigner::CosignSigner(fs::path bin, fs::path dir)
    : bin_(std::move(bin)), dir_(std::move(dir)) {
  // crane and cosign read credentials from $DOCKER_CONFIG/config.json.
  setenv("DOCKER_CONFIG", (dir_ / "docker").c_str(), 1);
  setenv("COSIGN_PASSWORD", "", 1);
  WriteDockerConfig(R"({"auths":{}})");
}

void CosignSigner::WriteDockerConfig(const std::string& json) const {
  test::WriteText(dir_ / "docker/config.json", json);
}

void CosignSigner::GenerateKey(const std::string& name) {
  Tool("cosign", {"generate-key-pair", "--output-key-prefix", (dir_ / name).string()});
}

std::string CosignSigner::PublicKey(const std::string& name) const {
  return test::ReadText(dir_ / (name + ".pub"));
}

std::string CosignSigner::Tool(const std::string& tool, std::vector<std::string> args) const {
  args.insert(args.begin(), (bin_ / tool).string());
  auto result = test::Run(args, "", 120);
  EXPECT_EQ(result.exit_code, 0) << result;
  std::string out = result.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string CosignSigner::PushRandom(const std::string& ref) const {
  const fs::path layer = dir_ / "layer";
  auto random = test::Run({"head", "-c", "4096", "/dev/urandom"});
  test::WriteText(layer / "random.bin", random.out);
  auto tar =
      test::Run({"tar", "-cf", (dir_ / "layer.tar").string(), "-C", layer.string(), "random.bin"});
  EXPECT_EQ(tar.exit_code, 0) << tar;
  Tool("crane", {"append", "--insecure", "--oci-empty-base", "-f", (dir_ / "layer.tar").string(),
                 "-t", ref});
  return Tool("crane", {"digest", "--insecure", ref});
}

void CosignSigner::Sign(const std::string& ref_at_digest, const std::string& key,
                        bool legacy) const {
  std::vector<std::string> args = {"sign",
                                   "--key",
                                   (dir_ / (key + ".key")).string(),
                                   "--tlog-upload=false",
                                   "--use-signing-config=false",
                                   "--allow-http-registry",
                                   "--allow-insecure-registry",
                                   "-y"};
  if (legacy) args.push_back("--new-bundle-format=false");
  args.push_back(ref_at_digest);
  Tool("cosign", args);
}

}  // namespace csp::registry::testing
