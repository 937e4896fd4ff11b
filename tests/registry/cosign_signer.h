// Test support: images pushed with real crane and signed with real cosign (test-tools cache,
// hack/build-test-tools.sh) in a scratch folder: key pairs, one-layer images of random bytes,
// and signatures in either cosign layout. Shared by the cspctl and operator signature tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace csp::registry::testing {

class CosignSigner {
 public:
  // `bin` holds crane and cosign; `dir` is the test's scratch folder (keys, layers and the
  // docker config crane and cosign read, $DOCKER_CONFIG, which this sets).
  CosignSigner(std::filesystem::path bin, std::filesystem::path dir);

  // cosign generate-key-pair: <dir>/<name>.key and <dir>/<name>.pub (empty password).
  void GenerateKey(const std::string& name);
  std::string PublicKey(const std::string& name) const;  // the PEM of <name>.pub

  // Runs bin/<tool> with `args`, expecting exit 0 (a test failure otherwise); its stdout,
  // trailing space trimmed.
  std::string Tool(const std::string& tool, std::vector<std::string> args) const;

  // Pushes a one-layer image of random bytes to `ref` (host/repo:tag, plain HTTP); returns its
  // digest.
  std::string PushRandom(const std::string& ref) const;

  // cosign sign of `ref_at_digest` with key `key`; legacy: the sha256-<hex>.sig layout instead
  // of the v3 bundle. No transparency log.
  void Sign(const std::string& ref_at_digest, const std::string& key, bool legacy = false) const;

  // Replaces the docker config crane and cosign read (registry credentials).
  void WriteDockerConfig(const std::string& json) const;

 private:
  std::filesystem::path bin_;
  std::filesystem::path dir_;
};

}  // namespace csp::registry::testing
