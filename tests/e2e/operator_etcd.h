// Direct access to the e2e cluster's etcd (its JSON gateway on the port in cluster.env), for the
// operator's fault tests: while kube-apiserver is down, a change can only be made in etcd, as
// another apiserver of an HA control plane would. Custom resources are stored there as JSON;
// built-in kinds as protobuf, so those are only ever deleted, never edited.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "csp/common/result.h"

namespace csp::e2e {

// The key under which kube-apiserver (--etcd-prefix=/registry) stores an object, e.g.
// EtcdKey("deployments", "ns", "web") = "/registry/deployments/ns/web" and
// EtcdKey("containersecurity.dev/containersecuritypolicies", "", "p") for a cluster-scoped CR.
std::string EtcdKey(const std::string& resource, const std::string& ns, const std::string& name);

// The value stored under `key`, or nullopt when there is none.
Result<std::optional<std::string>> EtcdGet(const std::string& key);

// Stores `value` under `key`.
Status EtcdPut(const std::string& key, const std::string& value);

// Deletes `key`; returns how many keys were deleted (0 or 1).
Result<std::int64_t> EtcdDelete(const std::string& key);

// etcd's current revision (the resourceVersion of the newest write).
Result<std::string> EtcdRevision();

}  // namespace csp::e2e
