// Signature artifacts laid out as cosign v3 writes them (see tests/signature/testdata for the
// real thing), signed in memory by a TestKey: the inputs of the table tests.
#pragma once

#include <string>
#include <string_view>

#include "csp/signature/verify.h"
#include "test_keys.h"

namespace csp::signature::testing {

// A simple-signing payload claiming `digest`.
std::string PayloadFor(std::string_view digest);

// The manifest tagged sha256-<hex>.sig: one simple-signing layer whose annotation signs
// `payload`, and the payload blob.
SignatureArtifact LegacyArtifact(const TestKey& key, const std::string& payload,
                                 Scheme scheme = Scheme::kDefault);

// An in-toto Statement v1 with one subject {"sha256": hex of `digest`}.
std::string StatementFor(std::string_view digest);

// A v0.3 bundle: DSSE envelope over `statement` of `payload_type`, signed over the PAE.
std::string BundleJson(const TestKey& key, const std::string& statement,
                       std::string_view payload_type = "application/vnd.in-toto+json");

// A referrer manifest (artifactType bundle v0.3) with `bundle` as its one layer.
SignatureArtifact BundleArtifact(const std::string& bundle);

}  // namespace csp::signature::testing
