#include "csp/manifest/tape_workload.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "csp/manifest/scalar.h"
#include "csp/names/names.h"

namespace csp::manifest {
namespace {

using policy::Container;
using policy::ContainerType;
using policy::PodSpec;
using policy::SecurityContext;
using Kind = TapeWorkloadReader::Kind;
using Node = TapeWorkloadReader::Node;

// A mapping with more keys than this is declined: the duplicate-key check is quadratic.
constexpr std::size_t kMaxKeysPerMapping = 256;

// The keys from the object down to the pod template, as policy::AsWorkload walks them, for a
// kind policy::IsWorkloadKind accepts.
std::array<std::string_view, 4> TemplatePath(std::string_view kind) {
  if (kind == "Pod") return {};
  if (kind == "PodTemplate") return {"template"};
  if (kind == "CronJob") return {"spec", "jobTemplate", "spec", "template"};
  return {"spec", "template"};
}

// Walks an indexed tape the way policy::AsWorkload and policy::ParsePodSpec walk the JSON tree,
// giving up (ok_ = false) wherever they would report an error. Where they depend on the order
// of an object's members (a std::map: key order), the results are sorted the same way.
// A position is an event index; 0 (the DOCUMENT-START event) stands for "absent".
class Walker {
 public:
  using Pos = std::uint32_t;

  Walker(const YamlTape& tape, const std::vector<Node>& nodes) : tape_(tape), nodes_(nodes) {}

  bool ok() const { return ok_; }

  std::optional<TapeWorkload> Read(std::string_view default_namespace, bool want_labels) {
    constexpr Pos kRoot = 1;
    TapeWorkload w;
    w.line = tape_.Line(tape_.events[kRoot]);
    const Pos kind = Field(kRoot, "kind");
    const Pos api_version = Field(kRoot, "apiVersion");
    if (!IsString(kind) || !IsString(api_version)) return std::nullopt;
    w.ref.kind = Text(kind);
    w.ref.api_version = Text(api_version);
    w.pod_spec_path = policy::PodSpecPath(policy::ApiGroup(w.ref.api_version), w.ref.kind);
    if (w.pod_spec_path.empty()) return std::nullopt;  // not a workload kind
    if (const Pos meta = Field(kRoot, "metadata")) {
      if (!IsMapping(meta)) return std::nullopt;
      w.ref.name = String(meta, "name");
      w.ref.ns = String(meta, "namespace");
      w.ref.uid = String(meta, "uid");
      if (const Pos labels = Field(meta, "labels")) {
        if (!IsMapping(labels)) return std::nullopt;
        ForEachMember(labels, [&](Pos key, Pos value) {
          if (!IsString(value)) {
            ok_ = false;
          } else if (want_labels) {
            w.labels.emplace(Text(key), Text(value));
          }
        });
      }
    }
    if (w.ref.ns.empty() && w.ref.kind != "Namespace") w.ref.ns = std::string(default_namespace);

    Pos tmpl = kRoot;
    for (std::string_view key : TemplatePath(w.ref.kind)) {
      if (key.empty()) break;
      const Pos next = Field(tmpl, key);
      if (next == 0) {
        tmpl = 0;
        break;
      }
      if (!IsMapping(next)) return std::nullopt;
      tmpl = next;
    }
    Pos spec = 0;
    Pos annotations = 0;
    if (tmpl != 0) {
      spec = Field(tmpl, "spec");
      if (const Pos meta = Field(tmpl, "metadata")) {
        if (!IsMapping(meta)) return std::nullopt;
        annotations = Field(meta, "annotations");
        if (annotations != 0 && !IsMapping(annotations)) return std::nullopt;
      }
    }
    if (!ok_) return std::nullopt;
    if (spec != 0) {
      if (!IsMapping(spec)) return std::nullopt;
      ReadPodSpec(spec, w.pod);
    }
    if (annotations != 0) ReadAppArmorAnnotations(annotations, w.pod);
    if (!ok_) return std::nullopt;
    return w;
  }

 private:
  const TapeEvent& Event(Pos p) const { return tape_.events[p]; }
  std::string_view Text(Pos p) const { return tape_.Value(Event(p)); }
  bool IsMapping(Pos p) const { return Event(p).type == YamlEventType::kMappingStart; }
  bool IsSequence(Pos p) const { return Event(p).type == YamlEventType::kSequenceStart; }
  bool IsString(Pos p) const { return p != 0 && nodes_[p].kind == Kind::kString; }
  bool IsNull(Pos p) const { return nodes_[p].kind == Kind::kNull; }
  Pos Next(Pos p) const { return nodes_[p].end + 1; }

  // fn(key, value) for each member of a mapping, null values included, in document order.
  template <typename Fn>
  void ForEachMember(Pos mapping, Fn&& fn) const {
    const Pos end = nodes_[mapping].end;
    for (Pos key = mapping + 1; key < end; key = Next(key + 1)) fn(key, key + 1);
  }

  template <typename Fn>
  void ForEachElement(Pos sequence, Fn&& fn) const {
    const Pos end = nodes_[sequence].end;
    std::size_t i = 0;
    for (Pos e = sequence + 1; e < end; e = Next(e)) fn(e, i++);
  }

  // The value of `key` in a mapping, 0 when absent or null (as policy::GetField).
  Pos Field(Pos mapping, std::string_view key) const {
    if (mapping == 0 || !IsMapping(mapping)) return 0;
    const Pos end = nodes_[mapping].end;
    for (Pos k = mapping + 1; k < end; k = Next(k + 1)) {
      if (Text(k) == key) return IsNull(k + 1) ? 0 : k + 1;
    }
    return 0;
  }

  // A field that must be a string when set; "" when absent.
  std::string_view String(Pos mapping, std::string_view key) {
    const Pos v = Field(mapping, key);
    return v == 0 ? std::string_view() : StringValue(v);
  }
  std::string_view StringValue(Pos v) {
    if (IsString(v)) return Text(v);
    ok_ = false;
    return {};
  }
  std::optional<bool> Bool(Pos v) {
    if (nodes_[v].kind == Kind::kBool) return nodes_[v].boolean;
    ok_ = false;
    return std::nullopt;
  }
  std::optional<bool> OptionalBool(Pos mapping, std::string_view key) {
    const Pos v = Field(mapping, key);
    return v == 0 ? std::nullopt : Bool(v);
  }
  std::optional<std::int64_t> Int(Pos v) {
    if (nodes_[v].kind == Kind::kInt) return nodes_[v].integer;
    ok_ = false;
    return std::nullopt;
  }
  Pos Expect(Pos v, bool mapping) {
    if (mapping ? IsMapping(v) : IsSequence(v)) return v;
    ok_ = false;
    return 0;
  }

  std::vector<std::string_view> Strings(Pos mapping, std::string_view key) {
    std::vector<std::string_view> out;
    const Pos list = Field(mapping, key);
    if (list == 0 || Expect(list, false) == 0) return out;
    ForEachElement(list, [&](Pos e, std::size_t) { out.push_back(StringValue(e)); });
    return out;
  }

  std::optional<policy::Profile> ReadProfile(Pos v) {
    if (Expect(v, true) == 0) return std::nullopt;
    policy::Profile p{.type = String(v, "type")};
    if (const Pos lp = Field(v, "localhostProfile")) p.localhost_profile = StringValue(lp);
    return p;
  }

  void ReadSecurityContext(Pos sc, SecurityContext& out) {
    ForEachMember(sc, [&](Pos k, Pos v) {
      if (IsNull(v)) return;
      const std::string_view key = Text(k);
      if (key == "privileged") {
        out.privileged = Bool(v);
      } else if (key == "runAsNonRoot") {
        out.run_as_non_root = Bool(v);
      } else if (key == "runAsUser") {
        out.run_as_user = Int(v);
      } else if (key == "seccompProfile") {
        out.seccomp = ReadProfile(v);
      } else if (key == "appArmorProfile") {
        out.app_armor = ReadProfile(v);
      } else if (key == "capabilities") {
        if (Expect(v, true)) {
          out.capabilities =
              policy::Capabilities{.add = Strings(v, "add"), .drop = Strings(v, "drop")};
        }
      } else if (key == "allowPrivilegeEscalation") {
        out.allow_privilege_escalation = Bool(v);
      } else if (key == "procMount") {
        out.proc_mount = StringValue(v);
      } else if (key == "seLinuxOptions") {
        if (Expect(v, true)) {
          out.se_linux = policy::SeLinuxOptions{.type = String(v, "type"),
                                                .user = String(v, "user"),
                                                .role = String(v, "role"),
                                                .level = String(v, "level")};
        }
      } else if (key == "windowsOptions") {
        if (Expect(v, true)) out.windows_host_process = OptionalBool(v, "hostProcess");
      } else if (key == "sysctls") {
        if (Expect(v, false) == 0) return;
        ForEachElement(v, [&](Pos e, std::size_t) {
          if (Expect(e, true) == 0) return;
          out.sysctls.push_back({.name = String(e, "name"), .value = String(e, "value")});
        });
      }
    });
  }

  void ReadHandlerHosts(Pos handler, std::string_view where, Container& out) {
    for (std::string_view kind : {"httpGet", "tcpSocket"}) {
      const Pos action = Field(handler, kind);
      if (action == 0 || Expect(action, true) == 0) continue;
      const std::string_view host = String(action, "host");
      if (!host.empty()) {
        out.probe_hosts.emplace_back(std::string(where) + "." + std::string(kind) + ".host", host);
      }
    }
  }

  void ReadContainer(Pos c, ContainerType type, PodSpec& pod) {
    if (Expect(c, true) == 0) return;
    Container& out = pod.containers.emplace_back();
    out.type = type;
    // The handlers in key order, as the tree path meets them.
    Pos lifecycle = 0, liveness = 0, readiness = 0, startup = 0;
    ForEachMember(c, [&](Pos k, Pos v) {
      if (IsNull(v)) return;
      const std::string_view field = Text(k);
      if (field == "name") {
        out.name = StringValue(v);
      } else if (field == "image") {
        out.image = StringValue(v);
      } else if (field == "securityContext") {
        if (Expect(v, true)) ReadSecurityContext(v, out.security_context.emplace());
      } else if (field == "volumeMounts") {
        if (Expect(v, false) == 0) return;
        ForEachElement(v, [&](Pos m, std::size_t) {
          if (Expect(m, true) == 0) return;
          out.volume_mounts.push_back({.name = String(m, "name"),
                                       .read_only = OptionalBool(m, "readOnly").value_or(false)});
        });
      } else if (field == "ports") {
        if (Expect(v, false) == 0) return;
        ForEachElement(v, [&](Pos p, std::size_t) {
          if (Expect(p, true) == 0) return;
          const Pos host_port = Field(p, "hostPort");
          if (host_port == 0) return;
          const std::optional<std::int64_t> port = Int(host_port);
          if (port && *port != 0) out.host_ports.push_back(*port);
        });
      } else if (field == "lifecycle") {
        lifecycle = Expect(v, true);
      } else if (field == "livenessProbe") {
        liveness = Expect(v, true);
      } else if (field == "readinessProbe") {
        readiness = Expect(v, true);
      } else if (field == "startupProbe") {
        startup = Expect(v, true);
      }
    });
    if (lifecycle != 0) {
      for (std::string_view hook : {"postStart", "preStop"}) {
        const Pos handler = Field(lifecycle, hook);
        if (handler != 0 && Expect(handler, true) != 0) {
          ReadHandlerHosts(handler, "lifecycle." + std::string(hook), out);
        }
      }
    }
    if (liveness != 0) ReadHandlerHosts(liveness, "livenessProbe", out);
    if (readiness != 0) ReadHandlerHosts(readiness, "readinessProbe", out);
    if (startup != 0) ReadHandlerHosts(startup, "startupProbe", out);
  }

  void ReadContainers(Pos list, ContainerType type, PodSpec& pod) {
    if (list == 0 || Expect(list, false) == 0) return;
    ForEachElement(list, [&](Pos c, std::size_t) { ReadContainer(c, type, pod); });
  }

  void ReadVolumes(Pos list, PodSpec& pod) {
    if (Expect(list, false) == 0) return;
    ForEachElement(list, [&](Pos v, std::size_t) {
      if (Expect(v, true) == 0) return;
      policy::Volume& out = pod.volumes.emplace_back();
      out.name = String(v, "name");
      // The first source in key order.
      bool found = false;
      ForEachMember(v, [&](Pos k, Pos value) {
        const std::string_view key = Text(k);
        if (key == "name" || IsNull(value)) return;
        if (!found || key < out.type) out.type = key;
        found = true;
      });
      if (const Pos hp = Field(v, "hostPath")) {
        if (Expect(hp, true)) out.host_path = String(hp, "path");
      }
    });
  }

  void ReadPodSpec(Pos spec, PodSpec& pod) {
    Pos init = 0, regular = 0, ephemeral = 0;
    ForEachMember(spec, [&](Pos k, Pos v) {
      if (IsNull(v)) return;
      const std::string_view key = Text(k);
      if (key == "containers") {
        regular = v;
      } else if (key == "initContainers") {
        init = v;
      } else if (key == "ephemeralContainers") {
        ephemeral = v;
      } else if (key == "securityContext") {
        if (Expect(v, true)) ReadSecurityContext(v, pod.pod_security_context);
      } else if (key == "volumes") {
        ReadVolumes(v, pod);
      } else if (key == "os") {
        if (Expect(v, true)) pod.os_name = String(v, "name");
      } else if (key == "hostNetwork") {
        pod.host_network = Bool(v).value_or(false);
      } else if (key == "hostPID") {
        pod.host_pid = Bool(v).value_or(false);
      } else if (key == "hostIPC") {
        pod.host_ipc = Bool(v).value_or(false);
      } else if (key == "hostUsers") {
        pod.host_users = Bool(v);
      } else if (key == "nodeName") {
        pod.node_name = StringValue(v);
      } else if (key == "nodeSelector") {
        if (Expect(v, true) == 0) return;
        ForEachMember(v, [&](Pos sk, Pos sv) {
          if (!IsNull(sv)) pod.node_selector.emplace_back(Text(sk), StringValue(sv));
        });
        std::sort(pod.node_selector.begin(), pod.node_selector.end());
      }
    });
    ReadContainers(init, ContainerType::kInit, pod);
    ReadContainers(regular, ContainerType::kRegular, pod);
    ReadContainers(ephemeral, ContainerType::kEphemeral, pod);
  }

  void ReadAppArmorAnnotations(Pos annotations, PodSpec& pod) {
    constexpr std::string_view kPrefix = names::kAppArmorAnnotationPrefix;
    ForEachMember(annotations, [&](Pos k, Pos v) {
      const std::string_view key = Text(k);
      if (key.starts_with(kPrefix) && IsString(v)) {
        pod.app_armor_annotations.emplace_back(key.substr(kPrefix.size()), Text(v));
      }
    });
    std::sort(pod.app_armor_annotations.begin(), pod.app_armor_annotations.end());
  }

  const YamlTape& tape_;
  const std::vector<Node>& nodes_;
  bool ok_ = true;
};

}  // namespace

bool TapeWorkloadReader::Index(const YamlTape& tape) {
  const std::span<const TapeEvent> events = tape.events;
  const std::size_t count = events.size();
  // DOCUMENT-START, the root mapping, DOCUMENT-END.
  if (count < 4 || events[1].type != YamlEventType::kMappingStart) return false;
  nodes_.assign(count, Node{});
  open_.clear();
  keys_.clear();
  const std::size_t start = events[0].index;
  std::size_t node_count = 0;
  std::size_t scalar_bytes = 0;
  nlohmann::json resolved;
  for (std::size_t i = 1; i + 1 < count; ++i) {
    const TapeEvent& e = events[i];
    if (e.index - start > limits_.max_document_bytes || e.tag_size != 0 || e.anchor_size != 0) {
      return false;
    }
    Open* top = open_.empty() ? nullptr : &open_.back();
    const bool key_position = top != nullptr && top->is_mapping && top->expect_key;
    Node& node = nodes_[i];
    switch (e.type) {
      case YamlEventType::kScalar: {
        const std::string_view text = tape.Value(e);
        if (++node_count > limits_.max_nodes_per_document || text.size() > limits_.max_scalar_bytes)
          return false;
        scalar_bytes += text.size();
        if (scalar_bytes > limits_.max_document_bytes) return false;
        node.end = static_cast<std::uint32_t>(i);
        node.kind = Kind::kString;
        if (key_position) {
          if (e.plain && (!IsPlainString(text) || text == "<<")) return false;
          for (std::size_t k = top->keys_from; k < keys_.size(); ++k) {
            if (tape.Value(events[keys_[k]]) == text) return false;
          }
          if (keys_.size() - top->keys_from >= kMaxKeysPerMapping) return false;
          keys_.push_back(static_cast<std::uint32_t>(i));
          top->expect_key = false;
          break;
        }
        if (e.plain && !IsPlainString(text)) {
          if (!ResolveScalar(text, ScalarStyle::kPlain, {}, resolved)) return false;
          switch (resolved.type()) {
            case nlohmann::json::value_t::null:
              node.kind = Kind::kNull;
              break;
            case nlohmann::json::value_t::boolean:
              node.kind = Kind::kBool;
              node.boolean = resolved.get<bool>();
              break;
            case nlohmann::json::value_t::number_integer:
              node.kind = Kind::kInt;
              node.integer = resolved.get<std::int64_t>();
              break;
            case nlohmann::json::value_t::string:
              break;  // IsPlainString says otherwise; cannot happen
            default:
              node.kind = Kind::kOther;  // uint64 beyond int64, float
              break;
          }
        }
        if (top != nullptr && top->is_mapping) top->expect_key = true;
        break;
      }
      case YamlEventType::kMappingStart:
      case YamlEventType::kSequenceStart:
        if (++node_count > limits_.max_nodes_per_document || key_position ||
            open_.size() + 1 > limits_.max_depth) {
          return false;
        }
        open_.push_back(Open{.start = static_cast<std::uint32_t>(i),
                             .is_mapping = e.type == YamlEventType::kMappingStart,
                             .keys_from = keys_.size()});
        break;
      case YamlEventType::kMappingEnd:
      case YamlEventType::kSequenceEnd: {
        if (open_.empty()) return false;
        nodes_[open_.back().start].end = static_cast<std::uint32_t>(i);
        node.end = static_cast<std::uint32_t>(i);
        keys_.resize(open_.back().keys_from);
        open_.pop_back();
        if (!open_.empty() && open_.back().is_mapping) open_.back().expect_key = true;
        break;
      }
      default:  // an alias, or a stream or document event inside the document
        return false;
    }
  }
  return open_.empty() && nodes_[1].end == count - 2;
}

std::optional<TapeWorkload> TapeWorkloadReader::Read(const YamlTape& tape,
                                                     std::string_view default_namespace,
                                                     bool want_labels) {
  if (!Index(tape)) return std::nullopt;
  Walker walker(tape, nodes_);
  std::optional<TapeWorkload> workload = walker.Read(default_namespace, want_labels);
  if (!walker.ok()) return std::nullopt;
  return workload;
}

}  // namespace csp::manifest
