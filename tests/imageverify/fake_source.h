// An in-memory SignatureSource holding the real cosign signatures of tests/signature/testdata
// (hack/make-signature-fixtures.sh), counting how often it is asked.
#pragma once

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "csp/imageverify/signature_source.h"
#include "csp/signature/oci_manifest.h"
#include "csp/signature/public_key.h"

namespace csp::imageverify::testing {

inline std::string Fixture(const std::string& path) {
  std::ifstream in(std::string(SIGNATURE_TESTDATA) + "/" + path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string FixtureDigest() {
  std::string d = Fixture("image.digest");
  while (!d.empty() && d.back() == '\n') d.pop_back();
  return d;
}

inline signature::NamedKey FixtureKey(const std::string& name, const std::string& alg) {
  auto key = signature::ParsePublicKey(Fixture("keys/" + alg + ".pub"));
  return {.name = name, .key = *key};
}

// The artifact in testdata/<dir>: `manifest_file` and its first layer's blob `blob_file`.
inline signature::SignatureArtifact FixtureArtifact(signature::SignatureArtifact::Layout layout,
                                                    const std::string& dir,
                                                    const std::string& manifest_file,
                                                    const std::string& blob_file) {
  signature::SignatureArtifact a{.layout = layout, .manifest = Fixture(dir + "/" + manifest_file)};
  auto m = signature::ParseManifest(a.manifest, 4 << 20);
  if (m && !m->layers.empty()) a.blobs[m->layers[0].digest] = Fixture(dir + "/" + blob_file);
  return a;
}

inline signature::SignatureArtifact LegacyArtifact(const std::string& alg) {
  return FixtureArtifact(signature::SignatureArtifact::Layout::kSimpleSigning, "legacy-" + alg,
                         "signature-manifest.json", "payload.json");
}

inline signature::SignatureArtifact BundleArtifact(const std::string& alg) {
  return FixtureArtifact(signature::SignatureArtifact::Layout::kBundle, "bundle-" + alg,
                         "referrer-manifest.json", "bundle.json");
}

class FakeSource final : public SignatureSource {
 public:
  Result<std::string> ResolveDigest(const registry::Reference&,
                                    const registry::Keychain&) override {
    ++resolves;
    if (!resolve_error.message.empty()) return resolve_error;
    return digest;
  }
  Result<std::vector<signature::SignatureArtifact>> FetchSignatures(
      const registry::Reference&, std::string_view, const registry::Keychain&) override {
    if (!fetch_error.message.empty()) return fetch_error;
    return artifacts;
  }

  std::string digest = FixtureDigest();
  std::vector<signature::SignatureArtifact> artifacts = {};
  Error resolve_error = {};  // set a message to fail ResolveDigest
  Error fetch_error = {};
  std::atomic<int> resolves = 0;
};

}  // namespace csp::imageverify::testing
