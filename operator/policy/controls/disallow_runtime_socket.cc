// A container-runtime socket on a hostPath gives full control of every container on the node.
// Fields:  spec.volumes[*].hostPath.path (declared volumes count, mounted or not)
// Allowed: any path that is neither a listed socket nor a directory above one.
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"
#include "csp/policy/text.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  std::vector<std::string> paths;  // normalized
};

// The default socket list; a policy's `paths` replaces it, and [] lists none.
constexpr std::array<ControlField, 1> kFields = {{
    {"paths", R"([
        "/var/run/docker.sock", "/run/docker.sock",
        "/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock", "/run/crio/crio.sock",
        "/var/run/cri-dockerd.sock", "/run/podman/podman.sock"])"},
}};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  if (const nlohmann::json* v = GetField(obj, "paths")) {
    std::vector<std::string> paths;
    ReadStringList(*v, path + ".paths", errors, paths);
    for (std::size_t i = 0; i < paths.size(); ++i) {
      if (!IsAbsolutePath(paths[i])) {
        errors.Add(path + ".paths[" + std::to_string(i) + "]",
                   "\"" + paths[i] + "\" is not an absolute path");
      } else {
        s->paths.push_back(NormalizePath(paths[i]));
      }
    }
  }
  return s;
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext&) {
  const auto& s = static_cast<const Settings&>(settings);
  Finding f;
  for (const Volume& v : pod.volumes) {
    if (!v.host_path || !IsAbsolutePath(*v.host_path)) continue;  // relative: rule 7's business
    std::string path = NormalizePath(*v.host_path);
    for (const std::string& socket : s.paths) {
      if (PathHasPrefix(socket, path)) {
        std::string what =
            path == socket ? "is the runtime socket " : "exposes the runtime socket ";
        f.violations.push_back("volume \"" + std::string(v.name) + "\": hostPath " + path + " " +
                               what + socket);
        for (const Container& c : pod.containers) {
          for (const VolumeMount& m : c.volume_mounts) {
            if (m.name == v.name) f.containers.emplace_back(c.name);
          }
        }
        break;
      }
    }
  }
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
  return f;
}

std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  using cel::Let;
  const auto& s = static_cast<const Settings&>(settings);
  // The first listed socket at or below the path names the violation, as Check does.
  return cel::ListCheck(
      std::string(cel::kSpec) +
      ".?volumes.orValue([]).filter(v, has(v.hostPath) && "
      "string(v.hostPath.?path.orValue('')).startsWith('/')).map(v, " +
      Let("np", cel::NormalizedAbsolutePath("string(v.hostPath.path)"),
          Let("m",
              cel::QuoteList(s.paths) + ".filter(s, " + cel::PathHasPrefixExpr("s", "np") + ")",
              "size(m) == 0 ? '' : 'volume \"' + v.name + '\": hostPath ' + np + "
              "(np == m[0] ? ' is the runtime socket ' : ' exposes the runtime socket ') + "
              "m[0]")) +
      ").filter(x, x != '')");
}

}  // namespace

Control DisallowRuntimeSocket() {
  return {.id = "disallow-runtime-socket",
          .key = "runtimeSocket",
          .severity = "critical",
          .summary = "no hostPath volume may expose a container-runtime socket",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = "",
          .pss_restricted = "",
          .no_fix =
              "the runtime socket is mounted on purpose; removing the volume breaks the workload"};
}

}  // namespace csp::policy::controls
