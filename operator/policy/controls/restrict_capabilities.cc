// Added capabilities hand a container pieces of root; only a short allow-list is acceptable.
// Fields:  securityContext.capabilities.{add,drop} of each container
// Allowed: add within `allowed` (default NET_BIND_SERVICE), never ALL; drop ALL when
//          requireDropAll. Names compare case-insensitively with an optional CAP_ prefix, or,
//          with literalNames, exactly as written (as Pod Security Admission compares them).
#include <algorithm>
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"
#include "csp/policy/text.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  std::vector<std::string> allowed;  // normalized, or as written with literal_names
  bool require_drop_all = false;
  bool literal_names = false;
  // The name `written` compares as.
  std::string Name(std::string_view written) const {
    return literal_names ? std::string(written) : NormalizeCapability(written);
  }
};

constexpr std::array<ControlField, 3> kFields = {{
    {"allowed", R"(["NET_BIND_SERVICE"])"},  // a policy's list replaces it; [] allows none
    {"requireDropAll", "false"},
    {"literalNames", "false"},
}};

// PSS: baseline allows adding its list (check_capabilities_baseline.go), restricted only
// NET_BIND_SERVICE and requires drop ALL (check_capabilities_restricted.go); both compare names
// literally.
constexpr std::string_view kPssBaseline = R"({"enabled": true, "literalNames": true, "allowed": [
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]})";
constexpr std::string_view kPssRestricted = R"({"enabled": true, "literalNames": true,
    "allowed": ["NET_BIND_SERVICE"], "requireDropAll": true})";

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  ReadBool(obj, "literalNames", path, errors, s->literal_names);
  if (const nlohmann::json* v = GetField(obj, "allowed")) {
    std::vector<std::string> names;
    ReadStringList(*v, path + ".allowed", errors, names);
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string item = path + ".allowed[" + std::to_string(i) + "]";
      if (!IsCapabilityName(names[i])) {
        errors.Add(item, "\"" + names[i] + "\" is not a capability name");
      } else if (NormalizeCapability(names[i]) == "ALL") {
        errors.Add(item, "ALL cannot be allowed: it grants every capability");
      } else {
        s->allowed.push_back(s->Name(names[i]));
      }
    }
  }
  ReadBool(obj, "requireDropAll", path, errors, s->require_drop_all);
  return s;
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext&) {
  const auto& s = static_cast<const Settings&>(settings);
  return CheckEachContainer(pod, [&](const Container& c) {
    const Capabilities* caps = c.security_context && c.security_context->capabilities
                                   ? &*c.security_context->capabilities
                                   : nullptr;
    std::string problems;
    auto add = [&](const std::string& p) { problems += (problems.empty() ? "" : ", ") + p; };
    if (caps != nullptr) {
      for (std::string_view added : caps->add) {
        std::string cap = s.Name(added);
        if (cap == "ALL") {
          add("capabilities.add holds ALL");
        } else if (std::find(s.allowed.begin(), s.allowed.end(), cap) == s.allowed.end()) {
          add("capabilities.add holds " + cap + " (not allowed)");
        }
      }
    }
    if (s.require_drop_all) {
      bool drops_all =
          caps != nullptr && std::any_of(caps->drop.begin(), caps->drop.end(),
                                         [&](std::string_view d) { return s.Name(d) == "ALL"; });
      if (!drops_all) add("capabilities.drop does not hold ALL");
    }
    return problems;
  });
}

// Each disallowed capability removed from `add` (the whole `add` when none is left), and ALL
// appended to `drop` where requireDropAll asks for it. Dropping ALL and keeping allowed adds is
// what Kubernetes documents for least privilege: adds apply after drops.
Fix FixIt(const PodSpec& pod, const ControlSettings& settings, const Finding& finding) {
  const auto& s = static_cast<const Settings&>(settings);
  Fix fix;
  for (const Container* c : NamedContainers(pod, finding.containers)) {
    const std::vector<std::string> sc = SecurityContextPath(pod, c);
    const Capabilities* caps = c->security_context && c->security_context->capabilities
                                   ? &*c->security_context->capabilities
                                   : nullptr;
    std::vector<std::size_t> disallowed;
    bool drops_all = false;
    if (caps != nullptr) {
      for (std::size_t i = 0; i < caps->add.size(); ++i) {
        std::string cap = s.Name(caps->add[i]);
        if (cap == "ALL" || std::find(s.allowed.begin(), s.allowed.end(), cap) == s.allowed.end()) {
          disallowed.push_back(i);
        }
      }
      drops_all = std::any_of(caps->drop.begin(), caps->drop.end(),
                              [&](std::string_view d) { return s.Name(d) == "ALL"; });
    }
    if (caps != nullptr && !disallowed.empty() && disallowed.size() == caps->add.size()) {
      fix.edits.push_back(
          {.kind = FixEdit::Kind::kRemove, .path = Join(sc, {"capabilities", "add"})});
    } else {
      for (std::size_t i : disallowed) {
        fix.edits.push_back({.kind = FixEdit::Kind::kRemove,
                             .path = Join(sc, {"capabilities", "add", std::to_string(i)})});
      }
    }
    if (s.require_drop_all && !drops_all) {
      fix.edits.push_back({.kind = FixEdit::Kind::kAppend,
                           .path = Join(sc, {"capabilities", "drop"}),
                           .value = "ALL"});
    }
  }
  return fix;
}

std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  using cel::Let;
  const auto& s = static_cast<const Settings&>(settings);
  // The fields Pod Security Standards parity added go to the webhook (never approximated).
  if (s.literal_names) return std::nullopt;
  const std::string added =
      "caps.?add.orValue([]).map(a, " +
      Let("n", cel::NormalizedCapability("string(a)"),
          "n == 'ALL' ? 'capabilities.add holds ALL' : n in " + cel::QuoteList(s.allowed) +
              " ? '' : 'capabilities.add holds ' + n + ' (not allowed)'") +
      ").filter(x, x != '')";
  const std::string dropped = s.require_drop_all
                                  ? " + (caps.?drop.orValue([]).exists(d, " +
                                        cel::NormalizedCapability("string(d)") +
                                        " == 'ALL') ? [] : ['capabilities.drop does not hold ALL'])"
                                  : "";
  return cel::EachContainerCheck(
      Let("caps", "c.?securityContext.?capabilities", "(" + added + dropped + ").join(', ')"));
}

}  // namespace

Control RestrictCapabilities() {
  return {.id = "restrict-capabilities",
          .key = "capabilities",
          .severity = "high",
          .skip_on_windows = true,
          .summary = "containers may add only allowed capabilities, never ALL",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = kPssBaseline,
          .pss_restricted = kPssRestricted,
          .fix = &FixIt};
}

}  // namespace csp::policy::controls
