#include "csp/imageverify/registry_verifier.h"

#include "csp/registry/credentials.h"

namespace csp::imageverify {

Result<RegistryVerifier> OpenRegistryVerifier(registry::ClientOptions options,
                                              std::span<const std::string> insecure_hosts,
                                              kube::Clock& clock,
                                              VerifierOptions verifier_options) {
  for (const std::string& host : insecure_hosts) {
    options.insecure_hosts[registry::NormalizeRegistryHost(host)] =
        registry::HostSecurity::kPlainHttp;
  }
  RegistryVerifier out;
  CSP_TRY(out.client, registry::Client::New(std::move(options), clock));
  out.source = NewRegistrySource(*out.client);
  out.verifier = std::make_unique<Verifier>(*out.source, clock, verifier_options);
  return out;
}

}  // namespace csp::imageverify
