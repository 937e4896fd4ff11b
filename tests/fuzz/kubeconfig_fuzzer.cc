// Feeds arbitrary bytes to the kubeconfig loader as the file's content: whatever the YAML, it
// answers with a config or an error (yaml-cpp's exceptions stay inside), and a config it
// returns names an http(s) server without a trailing slash. Files the kubeconfig may name by a
// relative path (ca.crt, client.crt, client.key, token) exist beside it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "csp/kube/kubeconfig.h"
#include "fuzz_dir.h"

namespace {

void CheckConfig(const csp::Result<csp::kube::RestConfig>& config) {
  if (!config) {
    if (config.error().message.empty()) __builtin_trap();
    return;
  }
  const std::string& server = config->server;
  if (!server.starts_with("https://") && !server.starts_with("http://")) __builtin_trap();
  if (server.ends_with('/')) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool files_written = [] {
    for (const char* name : {"ca.crt", "client.crt", "client.key", "token"}) {
      csp::fuzz::WriteFile(csp::fuzz::FuzzDir() / name, "PEM or token\n");
    }
    return true;
  }();
  (void)files_written;
  const auto file = csp::fuzz::FuzzDir() / "kubeconfig";
  csp::fuzz::WriteFile(file, std::string_view(reinterpret_cast<const char*>(data), size));
  CheckConfig(csp::kube::LoadKubeconfig(file));          // its current-context
  CheckConfig(csp::kube::LoadKubeconfig(file, "kind"));  // --context kind
  return 0;
}
