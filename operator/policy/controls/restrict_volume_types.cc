// Volume sources other than the ephemeral, projected and claim-based ones reach node storage
// (hostPath), network storage with the node's credentials (nfs, iscsi, rbd, ...) or run code on
// the node (flexVolume, gitRepo). Pod Security Standards, restricted.
// Fields:  spec.volumes[*]: the volume source (the field besides name)
// Allowed: a source in `allowed` (default PSS restricted's). A volume without a source is the
//          emptyDir the API server makes of it, judged as such.
#include <algorithm>
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  std::vector<std::string> allowed;
};

// PSA's check_restrictedVolumes.go (Kubernetes 1.35).
constexpr std::array<ControlField, 1> kFields = {{
    {"allowed", R"(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                   "persistentVolumeClaim", "projected", "secret"])"},
}};

// The sources of core/v1 VolumeSource (Kubernetes 1.36). An entry outside them is a typo that
// would allow nothing, so the policy is refused.
constexpr std::array<std::string_view, 30> kVolumeSources = {
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "hostPath",
    "image",
    "iscsi",
    "nfs",
    "persistentVolumeClaim",
    "photonPersistentDisk",
    "portworxVolume",
    "projected",
    "quobyte",
    "rbd",
    "scaleIO",
    "secret",
    "storageos",
    "vsphereVolume",
};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  if (const nlohmann::json* v = GetField(obj, "allowed")) {
    ReadStringList(*v, path + ".allowed", errors, s->allowed);
    for (std::size_t i = 0; i < s->allowed.size(); ++i) {
      if (std::find(kVolumeSources.begin(), kVolumeSources.end(), s->allowed[i]) ==
          kVolumeSources.end()) {
        errors.Add(path + ".allowed[" + std::to_string(i) + "]",
                   "\"" + s->allowed[i] + "\" is not a volume source");
      }
    }
  }
  return s;
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext&) {
  const auto& allowed = static_cast<const Settings&>(settings).allowed;
  Finding f;
  for (const Volume& v : pod.volumes) {
    const std::string_view type = v.type.empty() ? "emptyDir" : v.type;
    if (std::find(allowed.begin(), allowed.end(), type) != allowed.end()) continue;
    f.violations.push_back("volume \"" + std::string(v.name) + "\": " +
                           (v.type.empty() ? "no source (an emptyDir)" : std::string(type)) +
                           " is not an allowed volume type");
    for (const Container& c : pod.containers) {  // the containers mounting it, once each
      if (std::any_of(c.volume_mounts.begin(), c.volume_mounts.end(),
                      [&](const VolumeMount& m) { return m.name == v.name; })) {
        f.containers.emplace_back(c.name);
      }
    }
  }
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
  return f;
}

// The API server admits a volume with exactly one source (an emptyDir when it has none).
std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  const std::string allowed = cel::QuoteList(static_cast<const Settings&>(settings).allowed);
  const std::string label = "'volume \"' + v.name + '\": '";
  return cel::ListCheck(
      std::string(cel::kSpec) + ".?volumes.orValue([]).map(v, " +
      cel::Let("ts", "v.filter(k, k != 'name')",
               "size(ts) == 0 ? ('emptyDir' in " + allowed + " ? '' : " + label +
                   " + 'no source (an emptyDir) is not an allowed volume type') : (ts[0] in " +
                   allowed + " ? '' : " + label + " + ts[0] + ' is not an allowed volume type')") +
      ").filter(p, p != '')");
}

}  // namespace

Control RestrictVolumeTypes() {
  return {.id = "restrict-volume-types",
          .key = "volumeTypes",
          .severity = "medium",
          // Restricted-level: hostPath (baseline) is restrict-host-path's; clusters use many other
          // sources (controls.md).
          .enabled_by_default = false,
          .summary = "volumes may use only allowed volume sources",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          // allowed's default is PSS restricted's list.
          .pss_restricted = R"({"enabled": true})",
          .no_fix = "the data must come from an allowed volume source"};
}

}  // namespace csp::policy::controls
