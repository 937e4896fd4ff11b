// The informer Transform for workload objects: a copy that keeps only what evaluation,
// matching, ownership and remediation read, so the cache holds small values while evaluation
// still goes through the engine's own code path (policy::AsWorkload on the compact JSON).
#pragma once

#include <nlohmann/json.hpp>

namespace csp::controllers {

// Keeps apiVersion, kind; metadata name/namespace/uid/labels/annotations/ownerReferences/
// generation/resourceVersion (annotations without kubectl's last-applied-configuration, a
// copy of the whole object); spec.replicas, spec.suspend, spec.selector; and of the pod spec
// (wherever the kind keeps it) containers/initContainers/ephemeralContainers {name, image,
// securityContext, volumeMounts, ports, probes, lifecycle}, securityContext, volumes {name,
// hostPath, other sources' keys with empty values}, os, nodeName, nodeSelector, hostNetwork,
// hostPID, hostIPC, hostUsers, imagePullSecrets, serviceAccountName (and its old alias
// serviceAccount), with the pod template's metadata.annotations and labels. A field of an
// unexpected type is kept as it is, so that the engine reports the same error on the compact
// object. Never throws.
nlohmann::json CompactWorkload(const nlohmann::json& object);

}  // namespace csp::controllers
