#include "csp/kube/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "csp/kube/base64.h"
#include "read_file.h"

namespace csp::kube {
namespace {

namespace fs = std::filesystem;

// Builds errors that start with the file and the field: "kubeconfig /k: users[name=u].x: ...".
struct Where {
  std::string file;
  Error Invalid(const std::string& field, const std::string& problem) const {
    return InvalidArgument("kubeconfig " + file + ": " + field + ": " + problem);
  }
};

// A string field: absent (nullopt), or its value; a map or list where a string belongs is an
// error.
Result<std::optional<std::string>> StringField(const Where& where, const YAML::Node& parent,
                                               const std::string& parent_path,
                                               const std::string& key) {
  const YAML::Node node = parent[key];
  if (!node.IsDefined() || node.IsNull()) return std::optional<std::string>{};
  if (!node.IsScalar()) return where.Invalid(parent_path + "." + key, "must be a string");
  return std::optional<std::string>{node.Scalar()};
}

// The `inner` map of the entry called `name` in the list `list` (clusters, users, contexts).
Result<YAML::Node> FindNamed(const Where& where, const YAML::Node& root, const std::string& list,
                             const std::string& inner, const std::string& name,
                             const std::string& referrer) {
  const YAML::Node entries = root[list];
  if (entries.IsDefined() && !entries.IsNull() && !entries.IsSequence()) {
    return where.Invalid(list, "must be a list");
  }
  if (entries.IsSequence()) {
    for (const YAML::Node& entry : entries) {
      if (!entry.IsMap() || !entry["name"].IsScalar() || entry["name"].Scalar() != name) continue;
      const YAML::Node body = entry[inner];
      if (!body.IsDefined() || body.IsNull()) return YAML::Node(YAML::NodeType::Map);
      if (!body.IsMap()) {
        return where.Invalid(list + "[name=" + name + "]." + inner, "must be a map");
      }
      return body;
    }
  }
  return where.Invalid(referrer, "\"" + name + "\" not found in " + list);
}

// Resolves kubeconfig paths the way kubectl does: relative to the file's folder.
fs::path Resolve(const fs::path& base_dir, const std::string& path) {
  const fs::path p(path);
  return p.is_absolute() ? p : base_dir / p;
}

// Reads a PEM from `<prefix>-data` (base64, wins) or from the file named by `<prefix>`.
Result<std::optional<std::string>> PemField(const Where& where, const YAML::Node& parent,
                                            const std::string& parent_path, const std::string& key,
                                            const fs::path& base_dir) {
  CSP_TRY(auto data, StringField(where, parent, parent_path, key + "-data"));
  if (data) {
    auto decoded = DecodeBase64(*data);
    if (!decoded) return where.Invalid(parent_path + "." + key + "-data", decoded.error().message);
    return std::optional<std::string>{std::move(*decoded)};
  }
  CSP_TRY(auto file, StringField(where, parent, parent_path, key));
  if (!file) return std::optional<std::string>{};
  auto text = ReadWholeFile(Resolve(base_dir, *file));
  if (!text) return where.Invalid(parent_path + "." + key, text.error().message);
  return std::optional<std::string>{std::move(*text)};
}

Status LoadCluster(const Where& where, const YAML::Node& cluster, const std::string& path,
                   const fs::path& base_dir, RestConfig& config) {
  CSP_TRY(auto server, StringField(where, cluster, path, "server"));
  if (!server || server->empty()) return where.Invalid(path + ".server", "missing");
  if (server->rfind("https://", 0) != 0 && server->rfind("http://", 0) != 0) {
    return where.Invalid(path + ".server", "\"" + *server + "\" is not an http(s) URL");
  }
  // "https://" alone (or "http:///") names no host; trimming its slashes would leave "https:".
  std::string trimmed = *server;
  while (trimmed.ends_with('/')) trimmed.pop_back();
  const std::size_t scheme_end = trimmed.find("://");
  if (scheme_end == std::string::npos || scheme_end + 3 == trimmed.size()) {
    return where.Invalid(path + ".server", "\"" + *server + "\" names no host");
  }
  config.server = std::move(trimmed);
  CSP_TRY(auto ca, PemField(where, cluster, path, "certificate-authority", base_dir));
  if (ca) config.ca_pem = std::move(*ca);
  const YAML::Node insecure = cluster["insecure-skip-tls-verify"];
  if (insecure.IsDefined() && !insecure.IsNull()) {
    bool value = false;
    if (!insecure.IsScalar() || !YAML::convert<bool>::decode(insecure, value)) {
      return where.Invalid(path + ".insecure-skip-tls-verify", "must be true or false");
    }
    config.insecure_skip_tls_verify = value;
  }
  return {};
}

Status LoadUser(const Where& where, const YAML::Node& user, const std::string& path,
                const fs::path& base_dir, RestConfig& config) {
  for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
    if (user[unsupported].IsDefined() && !user[unsupported].IsNull()) {
      return where.Invalid(path + "." + unsupported,
                           "not supported; use a client certificate or a token");
    }
  }
  CSP_TRY(auto cert, PemField(where, user, path, "client-certificate", base_dir));
  CSP_TRY(auto key, PemField(where, user, path, "client-key", base_dir));
  if (cert && !key)
    return where.Invalid(path + ".client-key", "missing (client-certificate is set)");
  if (key && !cert)
    return where.Invalid(path + ".client-certificate", "missing (client-key is set)");
  if (cert) {
    config.client_cert_pem = std::move(*cert);
    config.client_key_pem = std::move(*key);
  }
  CSP_TRY(auto token, StringField(where, user, path, "token"));
  if (token) config.token = *token;
  CSP_TRY(auto token_file, StringField(where, user, path, "tokenFile"));
  if (token_file) {
    config.token_file = Resolve(base_dir, *token_file);
    // Fail at load, naming the field, rather than at the first request.
    auto text = ReadWholeFile(config.token_file);
    if (!text) return where.Invalid(path + ".tokenFile", text.error().message);
  }
  return {};
}

Result<RestConfig> Parse(const Where& where, const YAML::Node& root, std::string_view context,
                         const fs::path& base_dir) {
  if (!root.IsMap()) return where.Invalid("(document)", "must be a map");
  std::string context_name(context);
  std::string context_field = "--context";
  if (context_name.empty()) {
    CSP_TRY(auto current, StringField(where, root, "", "current-context"));
    if (!current || current->empty()) return where.Invalid("current-context", "missing");
    context_name = *current;
    context_field = "current-context";
  }
  CSP_TRY(YAML::Node ctx,
          FindNamed(where, root, "contexts", "context", context_name, context_field));
  const std::string ctx_path = "contexts[name=" + context_name + "].context";

  RestConfig config;
  config.source = "kubeconfig " + where.file + " (context " + context_name + ")";
  CSP_TRY(auto cluster_name, StringField(where, ctx, ctx_path, "cluster"));
  if (!cluster_name || cluster_name->empty())
    return where.Invalid(ctx_path + ".cluster", "missing");
  CSP_TRY(YAML::Node cluster,
          FindNamed(where, root, "clusters", "cluster", *cluster_name, ctx_path + ".cluster"));
  if (Status s = LoadCluster(where, cluster, "clusters[name=" + *cluster_name + "].cluster",
                             base_dir, config);
      !s) {
    return s.error();
  }

  CSP_TRY(auto user_name, StringField(where, ctx, ctx_path, "user"));
  if (user_name && !user_name->empty()) {
    CSP_TRY(YAML::Node user,
            FindNamed(where, root, "users", "user", *user_name, ctx_path + ".user"));
    if (Status s = LoadUser(where, user, "users[name=" + *user_name + "].user", base_dir, config);
        !s) {
      return s.error();
    }
  }
  CSP_TRY(auto ns, StringField(where, ctx, ctx_path, "namespace"));
  if (ns) config.default_namespace = *ns;
  return config;
}

}  // namespace

Result<RestConfig> LoadKubeconfig(const fs::path& file, std::string_view context) {
  const Where where{file.string()};
  auto text = ReadWholeFile(file);
  if (!text) return Error{text.error().code, "kubeconfig " + text.error().message};
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return where.Invalid("(document)", std::string("invalid YAML: ") + e.what());
  }
  fs::path base_dir = file.parent_path();
  if (base_dir.empty()) base_dir = ".";
  // yaml-cpp throws on type mismatches the checks above did not foresee; keep them inside.
  try {
    return Parse(where, root, context, base_dir);
  } catch (const YAML::Exception& e) {
    return where.Invalid("(document)", e.what());
  }
}

}  // namespace csp::kube
