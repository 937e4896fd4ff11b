// REST paths of Kubernetes resources.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csp/names/names.h"

namespace csp::kube {

// Which resource a request is about, e.g. {"apps", "v1", "deployments", true}.
struct ResourceRef {
  std::string group = {};     // "" for the core group
  std::string version = {};   // "v1"
  std::string resource = {};  // plural, lower case: "configmaps"
  bool namespaced = true;

  // "/api/v1" for the core group, else "/apis/<group>/<version>".
  std::string GroupVersionPath() const;
  // An object's apiVersion: "v1" for the core group, else "<group>/<version>".
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // The collection: ".../namespaces/<ns>/<resource>", or ".../<resource>" when `ns` is empty
  // (all namespaces) or the resource is cluster-scoped.
  std::string CollectionPath(std::string_view ns) const;
  // One object, optionally a subresource: ".../<resource>/<name>[/<subresource>]".
  std::string ObjectPath(std::string_view ns, std::string_view name,
                         std::string_view subresource = {}) const;
  // "configmaps" or "deployments.apps", for messages.
  std::string Name() const;
};

// The ResourceRef of a resource named in csp::names, e.g. names::kPolicies.
inline ResourceRef ToResourceRef(const names::Resource& r) {
  return {std::string(r.group), std::string(r.version), std::string(r.plural), r.namespaced};
}

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string PercentEncode(std::string_view text);

// "" when `params` is empty, else "?k=v&k2=v2" with keys and values percent-encoded. Pairs
// with an empty value are left out.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace csp::kube
