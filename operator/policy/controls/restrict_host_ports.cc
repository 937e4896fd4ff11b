// A hostPort binds a port of the node's own network interfaces, reachable from outside the
// pod network and contended between pods (PSS baseline "Host Ports").
// Fields:  spec.{initContainers,containers,ephemeralContainers}[*].ports[*].hostPort
// Allowed: unset, 0, or a port within `allowed` (default: none)
#include <array>
#include <charconv>
#include <cstdint>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

struct PortRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
};

struct Settings : ControlSettings {
  std::vector<PortRange> allowed;
};

constexpr std::array<ControlField, 1> kFields = {{{"allowed", "[]"}}};  // no host port allowed
constexpr std::int64_t kMaxPort = 65535;

// A decimal port 1..65535, digits only.
std::optional<std::int64_t> ParsePort(std::string_view text) {
  std::int64_t port = 0;
  if (text.empty() || text.size() > 5) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (port < 1 || port > kMaxPort) return std::nullopt;
  return port;
}

// "N" or "N-M" with 1 <= N <= M <= 65535.
std::optional<PortRange> ParseRange(std::string_view text) {
  std::size_t dash = text.find('-');
  std::optional<std::int64_t> first = ParsePort(text.substr(0, dash));
  std::optional<std::int64_t> last =
      dash == std::string_view::npos ? first : ParsePort(text.substr(dash + 1));
  if (!first || !last || *first > *last) return std::nullopt;
  return PortRange{*first, *last};
}

// Each entry of `allowed` is a port (an integer, as YAML writes `8080`) or a string holding a
// port or an inclusive range ("8000-8099").
std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  using json = nlohmann::json;
  auto s = std::make_shared<Settings>();
  const json* v = GetField(obj, "allowed");
  if (v == nullptr || !ExpectType(*v, json::value_t::array, path + ".allowed", errors)) return s;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string item = path + ".allowed[" + std::to_string(i) + "]";
    const json& e = (*v)[i];
    if (e.is_number_integer()) {
      // Read as unsigned first: a value above INT64_MAX must not wrap into range.
      bool fits = !e.is_number_unsigned() || e.get<std::uint64_t>() <= kMaxPort;
      std::int64_t port = fits ? e.get<std::int64_t>() : 0;
      if (port < 1 || port > kMaxPort) {
        errors.Add(item, e.dump() + " is not a port (1-65535)");
        continue;
      }
      s->allowed.push_back({port, port});
    } else if (e.is_string()) {
      const auto& text = e.get_ref<const std::string&>();
      std::optional<PortRange> range = ParseRange(text);
      if (!range) {
        errors.Add(item, "\"" + text +
                             "\" is not a port or range (\"N\" or \"N-M\", 1 <= N <= M <= 65535)");
        continue;
      }
      s->allowed.push_back(*range);
    } else {
      errors.Add(item, std::string("expected an integer or a string, got ") +
                           std::string(JsonTypeName(e)));
    }
  }
  return s;
}

bool Allowed(const Settings& s, std::int64_t port) {
  for (const PortRange& r : s.allowed) {
    if (port >= r.first && port <= r.last) return true;
  }
  return false;
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext&) {
  const auto& s = static_cast<const Settings&>(settings);
  return CheckEachContainer(pod, [&](const Container& c) -> std::string {
    std::string ports;
    int count = 0;
    for (std::int64_t port : c.host_ports) {
      if (Allowed(s, port)) continue;
      ports += (count++ == 0 ? "" : ", ") + std::to_string(port);
    }
    if (count == 0) return "";
    return count == 1 ? "ports[].hostPort " + ports + " is not allowed"
                      : "ports[].hostPort " + ports + " are not allowed";
  });
}

// The container's host ports (0 is none) outside every allowed range.
std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  const auto& s = static_cast<const Settings&>(settings);
  std::string allowed;
  for (const PortRange& r : s.allowed) {
    allowed += (allowed.empty() ? "" : " || ") + std::string("(x >= ") + std::to_string(r.first) +
               " && x <= " + std::to_string(r.last) + ")";
  }
  if (allowed.empty()) allowed = "false";
  return cel::EachContainerCheck(cel::Let(
      "hp",
      "c.?ports.orValue([]).map(p, p.?hostPort.orValue(0)).filter(x, x != 0 && !(" + allowed + "))",
      "size(hp) == 0 ? '' : 'ports[].hostPort ' + hp.map(x, string(x)).join(', ') + "
      "(size(hp) == 1 ? ' is not allowed' : ' are not allowed')"));
}

}  // namespace

Control RestrictHostPorts() {
  return {.id = "restrict-host-ports",
          .key = "hostPorts",
          .severity = "medium",
          .summary = "containers must not use a hostPort outside the allowed ports",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = R"({"enabled": true, "allowed": []})",
          .pss_restricted = R"({"enabled": true, "allowed": []})",
          .no_fix = "the port must be reached another way, e.g. through a Service"};
}

}  // namespace csp::policy::controls
