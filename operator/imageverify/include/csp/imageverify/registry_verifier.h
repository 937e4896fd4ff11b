// A Verifier over the real registry client, the three owned together: the one way cspctl and
// the operator set up signature verification.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "csp/common/result.h"
#include "csp/imageverify/signature_source.h"
#include "csp/imageverify/verifier.h"
#include "csp/kube/clock.h"
#include "csp/registry/client.h"

namespace csp::imageverify {

struct RegistryVerifier {
  std::unique_ptr<registry::Client> client;
  std::unique_ptr<SignatureSource> source;  // over *client
  std::unique_ptr<Verifier> verifier;       // over *source
};

// `insecure_hosts` (host[:port] as in image references) are reached over plain HTTP, besides
// those already in `options`. kInvalidArgument when the CA bundle does not parse. `clock` must
// outlive the result.
Result<RegistryVerifier> OpenRegistryVerifier(registry::ClientOptions options,
                                              std::span<const std::string> insecure_hosts,
                                              kube::Clock& clock,
                                              VerifierOptions verifier_options = {});

}  // namespace csp::imageverify
