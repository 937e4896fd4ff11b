// RestConfig: where the API server is and how to authenticate to it, whatever the source
// (kubeconfig file or in-cluster service account).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace csp::kube {

struct RestConfig {
  std::string server = {};  // "https://127.0.0.1:6443"; no trailing slash
  // PEM bundle of the CAs trusted for the server certificate; empty means the system roots.
  std::string ca_pem = {};
  std::string client_cert_pem = {};  // client certificate chain, PEM (with client_key_pem)
  std::string client_key_pem = {};
  std::string token = {};  // static bearer token
  // Bearer token file, re-read when it changes (service-account token rotation). Wins over
  // `token` when both are set.
  std::filesystem::path token_file = {};
  bool insecure_skip_tls_verify = false;
  std::string default_namespace = {};  // from the context, or the service account's namespace
  std::string source = {};             // where this came from, for messages: "kubeconfig /x"
  // Inactivity timeout for ordinary requests; watches use their own (see Client::Watch).
  std::chrono::seconds request_timeout{30};
};

}  // namespace csp::kube
