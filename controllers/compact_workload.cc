#include "csp/controllers/compact_workload.h"

#include <initializer_list>
#include <string>
#include <string_view>

#include "csp/names/names.h"

namespace csp::controllers {

using json = nlohmann::json;

namespace {

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

// Copies the listed keys of `from` that exist into `to` (an object).
void CopyKeys(const json& from, json& to, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = from.find(key);
    if (it != from.end()) to[key] = *it;
  }
}

// Object members are filtered; anything else (a mistyped field) is kept as it is.
json Filtered(const json& value, std::initializer_list<const char*> keys) {
  if (!value.is_object()) return value;
  json out = json::object();
  CopyKeys(value, out, keys);
  return out;
}

// A probe or lifecycle handler keeps only its httpGet/tcpSocket `host` (restrict-probe-hosts);
// null when it has none. Anything mistyped is kept as it is.
json CompactHandler(const json& handler) {
  if (!handler.is_object()) return handler;
  json out = json::object();
  for (const char* kind : {"httpGet", "tcpSocket"}) {
    auto action = handler.find(kind);
    if (action == handler.end()) continue;
    if (!action->is_object()) {
      out[kind] = *action;
    } else if (auto host = action->find("host"); host != action->end()) {
      out[kind] = {{"host", *host}};
    }
  }
  return out.empty() ? json() : out;
}

// Containers keep what the controls read: name, image, securityContext, volumeMounts, each
// port's hostPort (positions kept, so that an error names the same index), and the hosts of
// probes and lifecycle handlers.
json CompactContainers(const json& list) {
  if (!list.is_array()) return list;
  json out = json::array();
  for (const json& c : list) {
    json compact = Filtered(c, {"name", "image", "securityContext", "volumeMounts"});
    if (!c.is_object()) {
      out.push_back(std::move(compact));
      continue;
    }
    if (auto ports = c.find("ports"); ports != c.end()) {
      json kept = ports->is_array() ? json::array() : *ports;
      if (ports->is_array()) {
        for (const json& port : *ports) kept.push_back(Filtered(port, {"hostPort"}));
      }
      compact["ports"] = std::move(kept);
    }
    for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
      auto it = c.find(probe);
      if (it == c.end()) continue;
      if (json h = CompactHandler(*it); !h.is_null()) compact[probe] = std::move(h);
    }
    if (auto lifecycle = c.find("lifecycle"); lifecycle != c.end()) {
      if (!lifecycle->is_object()) {
        compact["lifecycle"] = *lifecycle;
      } else {
        json hooks = json::object();
        for (const char* hook : {"postStart", "preStop"}) {
          auto it = lifecycle->find(hook);
          if (it == lifecycle->end()) continue;
          if (json h = CompactHandler(*it); !h.is_null()) hooks[hook] = std::move(h);
        }
        if (!hooks.empty()) compact["lifecycle"] = std::move(hooks);
      }
    }
    out.push_back(std::move(compact));
  }
  return out;
}

// Volumes keep their name, hostPath, and the key of any other source with an empty value
// (restrict-volume-types reads which source a volume has, not what is in it).
json CompactVolumes(const json& list) {
  if (!list.is_array()) return list;
  json out = json::array();
  for (const json& volume : list) {
    if (!volume.is_object()) {
      out.push_back(volume);
      continue;
    }
    json compact = json::object();
    for (auto it = volume.begin(); it != volume.end(); ++it) {
      const bool whole = it.key() == "name" || it.key() == "hostPath" || it->is_null();
      compact[it.key()] = whole ? *it : json::object();
    }
    out.push_back(std::move(compact));
  }
  return out;
}

json CompactPodSpec(const json& spec) {
  if (!spec.is_object()) return spec;
  json out = json::object();
  for (const char* key : {"containers", "initContainers", "ephemeralContainers"}) {
    auto it = spec.find(key);
    if (it != spec.end()) {
      out[key] = CompactContainers(*it);
    }
  }
  // nodeName, nodeSelector: the nodes rules 2 and 3 check profiles on; nodeSelector also for
  // DaemonSet remediation. imagePullSecrets and the service account: the registry credentials
  // signature verification reads the images with.
  CopyKeys(
      spec, out,
      {"securityContext", "os", "nodeName", "nodeSelector", "imagePullSecrets",
       "serviceAccountName", "serviceAccount", "hostNetwork", "hostPID", "hostIPC", "hostUsers"});
  if (auto it = spec.find("volumes"); it != spec.end()) out["volumes"] = CompactVolumes(*it);
  return out;
}

// A pod template: its annotations (AppArmor) and its pod spec.
json CompactTemplate(const json& tmpl) {
  if (!tmpl.is_object()) return tmpl;
  json out = json::object();
  if (auto meta = tmpl.find("metadata"); meta != tmpl.end()) {
    // Labels: the pods' labels, an Isolate NetworkPolicy's selector when the kind has none.
    out["metadata"] = Filtered(*meta, {"annotations", "labels"});
  }
  if (auto spec = tmpl.find("spec"); spec != tmpl.end()) out["spec"] = CompactPodSpec(*spec);
  return out;
}

json CompactSpec(const json& spec, const std::string& kind) {
  if (!spec.is_object()) return spec;
  if (kind == names::kPods.kind) return CompactPodSpec(spec);
  json out = json::object();
  // selector: an Isolate NetworkPolicy's podSelector (remediation_plan.h).
  CopyKeys(spec, out, {"replicas", "suspend", "selector"});
  if (kind == names::kCronJobs.kind) {
    auto jt = spec.find("jobTemplate");
    if (jt == spec.end()) return out;
    if (!jt->is_object()) {
      out["jobTemplate"] = *jt;
      return out;
    }
    json job = json::object();
    if (auto js = jt->find("spec"); js != jt->end()) {
      if (js->is_object()) {
        json job_spec = json::object();
        if (auto t = js->find("template"); t != js->end())
          job_spec["template"] = CompactTemplate(*t);
        job["spec"] = std::move(job_spec);
      } else {
        job["spec"] = *js;
      }
    }
    out["jobTemplate"] = std::move(job);
    return out;
  }
  if (auto t = spec.find("template"); t != spec.end()) out["template"] = CompactTemplate(*t);
  return out;
}

}  // namespace

json CompactWorkload(const json& object) {
  try {
    if (!object.is_object()) return object;
    json out = json::object();
    CopyKeys(object, out, {"apiVersion", "kind"});
    if (auto meta = object.find("metadata"); meta != object.end()) {
      out["metadata"] = Filtered(*meta, {"name", "namespace", "uid", "labels", "annotations",
                                         "ownerReferences", "generation", "resourceVersion"});
      // A second copy of the whole object that nothing here reads: often the largest field.
      json& m = out["metadata"];
      if (auto a = m.is_object() ? m.find("annotations") : m.end();
          a != m.end() && a->is_object()) {
        a->erase(std::string(kLastApplied));
      }
    }
    auto kind = object.find("kind");
    const std::string k = kind != object.end() && kind->is_string() ? kind->get<std::string>() : "";
    if (auto spec = object.find("spec"); spec != object.end()) out["spec"] = CompactSpec(*spec, k);
    if (k == names::kPodTemplates.kind) {
      if (auto t = object.find("template"); t != object.end())
        out["template"] = CompactTemplate(*t);
    }
    return out;
  } catch (...) {
    // Only allocation can throw here; the whole object is a correct, if larger, value.
    return object;
  }
}

}  // namespace csp::controllers
