// Feeds arbitrary bytes to the readers of service-account files: the token (TokenFile, the
// in-cluster config) and the namespace. A token read is never empty nor padded with
// whitespace; the namespace has no trailing newline.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "csp/kube/in_cluster.h"
#include "csp/kube/token_file.h"
#include "fuzz_dir.h"

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::optional<std::string> ServiceEnv(const std::string& name) {
  if (name == "KUBERNETES_SERVICE_HOST") return "10.96.0.1";
  if (name == "KUBERNETES_SERVICE_PORT") return "443";
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto root = csp::fuzz::FuzzDir();
  const auto dir = csp::kube::ServiceAccountDir(root);
  for (const char* name : {"token", "ca.crt", "namespace"}) csp::fuzz::WriteFile(dir / name, bytes);

  csp::kube::TokenFile token_file(dir / "token");
  const auto token = token_file.Get();
  if (token && (token->empty() || IsSpace(token->front()) || IsSpace(token->back()))) {
    __builtin_trap();
  }
  const auto config = csp::kube::LoadInClusterConfig(root, ServiceEnv);
  if (!config) __builtin_trap();  // every file exists
  if (config->ca_pem != bytes || config->token_file != dir / "token") __builtin_trap();
  if (config->default_namespace.ends_with('\n')) __builtin_trap();
  return 0;
}
