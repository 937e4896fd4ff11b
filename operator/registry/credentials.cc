#include "csp/registry/credentials.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "csp/kube/base64.h"

namespace csp::registry {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Reads one entry; the messages name the host and field only.
Result<Credential> ReadEntry(const std::string& host, const nlohmann::json& entry) {
  const std::string where = "registry credentials for \"" + host + "\": ";
  if (!entry.is_object()) return InvalidArgument(where + "entry is not an object");
  auto text = [&](const char* field) -> Result<std::string> {
    auto it = entry.find(field);
    if (it == entry.end() || it->is_null()) return std::string();
    if (!it->is_string()) return InvalidArgument(where + field + " is not a string");
    return it->get<std::string>();
  };
  CSP_TRY(std::string auth, text("auth"));
  CSP_TRY(std::string username, text("username"));
  CSP_TRY(std::string password, text("password"));
  CSP_TRY(std::string identity_token, text("identitytoken"));
  Credential credential{.username = std::move(username),
                        .password = std::move(password),
                        .identity_token = std::move(identity_token)};
  if (!auth.empty()) {
    Result<std::string> decoded = kube::DecodeBase64(auth);
    if (!decoded) return InvalidArgument(where + "auth is not valid base64");
    const std::size_t colon = decoded->find(':');
    if (colon == std::string::npos) return InvalidArgument(where + "auth is not user:password");
    credential.username = decoded->substr(0, colon);
    credential.password = decoded->substr(colon + 1);
  }
  return credential;
}

}  // namespace

std::string NormalizeRegistryHost(std::string_view key) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (key.size() >= scheme.size() && Lower(key.substr(0, scheme.size())) == scheme) {
      key.remove_prefix(scheme.size());
    }
  }
  key = key.substr(0, key.find('/'));
  std::string host = Lower(key);
  if (host == "index.docker.io" || host == "registry-1.docker.io" ||
      host == "registry.hub.docker.com") {
    return "docker.io";
  }
  return host;
}

Status Keychain::Add(std::string_view docker_config_json) {
  // No exceptions, and no parser message: it would quote the bytes around the error.
  const nlohmann::json doc = nlohmann::json::parse(docker_config_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgument("registry credentials: not a JSON object");
  }
  const nlohmann::json* auths = &doc;
  if (auto it = doc.find("auths"); it != doc.end()) {
    if (!it->is_object()) return InvalidArgument("registry credentials: auths is not an object");
    auths = &*it;
  }
  std::map<std::string, Credential, std::less<>> added;
  for (const auto& [key, entry] : auths->items()) {
    // In the legacy form the top level holds only hosts; in config.json, "auths" is the map and
    // its siblings (credsStore, credHelpers, ...) are not hosts.
    const std::string host = NormalizeRegistryHost(key);
    if (host.empty()) continue;
    CSP_TRY(Credential credential, ReadEntry(host, entry));
    added.emplace(host, std::move(credential));
  }
  for (auto& [host, credential] : added) by_host_.emplace(host, std::move(credential));
  return {};
}

std::optional<Credential> Keychain::Find(std::string_view host) const {
  auto it = by_host_.find(NormalizeRegistryHost(host));
  if (it == by_host_.end()) return std::nullopt;
  return it->second;
}

}  // namespace csp::registry
