// hostPath volumes reach into the node's filesystem; only listed prefixes may be used.
// Fields:  spec.volumes[*].hostPath.path; volumeMounts[*].readOnly of containers mounting it
// Allowed: a path under an allowed prefix (whole components; longest prefix governs, and of
//          equal ones the read-only); mounted read-only where the prefix says readOnly.
#include <algorithm>
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"
#include "csp/policy/text.h"

namespace csp::policy::controls {
namespace {

struct AllowedPrefix {
  std::string prefix;
  bool read_only = false;
};

struct Settings : ControlSettings {
  std::vector<AllowedPrefix> allowed;
};

constexpr std::array<ControlField, 1> kFields = {{{"allowed", "[]"}}};  // nothing allowed
constexpr std::array<std::string_view, 2> kPrefixFields = {"pathPrefix", "readOnly"};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  using json = nlohmann::json;
  auto s = std::make_shared<Settings>();
  const json* v = GetField(obj, "allowed");
  if (v == nullptr || !ExpectType(*v, json::value_t::array, path + ".allowed", errors)) return s;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string item = path + ".allowed[" + std::to_string(i) + "]";
    const json& e = (*v)[i];
    if (!ExpectType(e, json::value_t::object, item, errors)) continue;
    RejectUnknownFields(e, kPrefixFields, item, errors);
    AllowedPrefix a;
    const json* prefix = GetField(e, "pathPrefix");
    if (prefix == nullptr) {
      errors.Add(item + ".pathPrefix", "required");
      continue;
    }
    if (!ExpectType(*prefix, json::value_t::string, item + ".pathPrefix", errors)) continue;
    const auto& text = prefix->get_ref<const std::string&>();
    if (!IsAbsolutePath(text)) {
      errors.Add(item + ".pathPrefix", "\"" + text + "\" is not an absolute path");
      continue;
    }
    a.prefix = NormalizePath(text);
    if (const json* ro = GetField(e, "readOnly")) {
      if (ExpectType(*ro, json::value_t::boolean, item + ".readOnly", errors))
        a.read_only = ro->get<bool>();
    }
    s->allowed.push_back(std::move(a));
  }
  return s;
}

const AllowedPrefix* Governing(const Settings& s, const std::string& path) {
  const AllowedPrefix* best = nullptr;
  for (const AllowedPrefix& a : s.allowed) {
    if (!PathHasPrefix(path, a.prefix)) continue;
    if (best == nullptr || a.prefix.size() > best->prefix.size() ||
        (a.prefix.size() == best->prefix.size() && a.read_only)) {
      best = &a;
    }
  }
  return best;
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext&) {
  const auto& s = static_cast<const Settings&>(settings);
  Finding f;
  for (const Volume& v : pod.volumes) {
    if (!v.host_path) continue;
    const std::string label = "volume \"" + std::string(v.name) + "\": hostPath ";
    if (!IsAbsolutePath(*v.host_path)) {
      f.violations.push_back(label + "path \"" + std::string(*v.host_path) + "\" is not absolute");
      continue;
    }
    std::string path = NormalizePath(*v.host_path);
    const AllowedPrefix* prefix = Governing(s, path);
    if (prefix == nullptr) {
      f.violations.push_back(label + path + " is not under an allowed prefix");
      for (const Container& c : pod.containers) {
        for (const VolumeMount& m : c.volume_mounts) {
          if (m.name == v.name) f.containers.emplace_back(c.name);
        }
      }
      continue;
    }
    if (!prefix->read_only) continue;
    for (const Container& c : pod.containers) {
      for (const VolumeMount& m : c.volume_mounts) {
        if (m.name == v.name && !m.read_only) {
          f.violations.push_back(label + path + " is mounted writable by " + ContainerLabel(c) +
                                 ", but " + prefix->prefix + " is allowed read-only");
          f.containers.emplace_back(c.name);
        }
      }
    }
  }
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
  return f;
}

// The governing prefix is a chain of tests in Governing's order: longest first, and of equal
// ones the read-only first.
std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  using cel::Let;
  std::vector<AllowedPrefix> order = static_cast<const Settings&>(settings).allowed;
  std::stable_sort(order.begin(), order.end(), [](const AllowedPrefix& a, const AllowedPrefix& b) {
    if (a.prefix.size() != b.prefix.size()) return a.prefix.size() > b.prefix.size();
    return a.read_only && !b.read_only;
  });
  const std::string label = "'volume \"' + v.name + '\": hostPath '";
  std::string chain = "[" + label + " + np + ' is not under an allowed prefix']";
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const std::string writable =
        "lists.range(size(variables.containers)).map(i, "
        "variables.containers[i].?volumeMounts.orValue([]).filter(m, m.name == v.name && "
        "!(m.?readOnly.orValue(false) == true)).map(m, " +
        label + " + np + ' is mounted writable by ' + variables.containerLabels[i] + " +
        cel::Quote(", but " + it->prefix + " is allowed read-only") + ")).flatten()";
    chain = cel::PathHasPrefix("np", it->prefix) + " ? " +
            (it->read_only ? writable : std::string("[]")) + " : " + chain;
  }
  return cel::ListCheck(
      std::string(cel::kSpec) + ".?volumes.orValue([]).filter(v, has(v.hostPath)).map(v, " +
      Let("p", "string(v.hostPath.?path.orValue(''))",
          "!p.startsWith('/') ? [" + label + " + 'path \"' + p + '\" is not absolute'] : " +
              Let("np", cel::NormalizedAbsolutePath("p"), chain)) +
      ").flatten()");
}

}  // namespace

Control RestrictHostPath() {
  return {.id = "restrict-host-path",
          .key = "hostPath",
          .severity = "high",
          .summary = "hostPath volumes must lie under an allowed prefix",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = R"({"enabled": true, "allowed": []})",
          .pss_restricted = R"({"enabled": true, "allowed": []})",
          .no_fix =
              "the workload reads or writes the host path; removing or re-mounting it is not "
              "mechanical"};
}

}  // namespace csp::policy::controls
