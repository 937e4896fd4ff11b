// Fixes: what a control would change in a workload to make its failing result pass, when that
// change is safe and mechanical (docs/controls.md "Fixes"). A control states its fix as edits
// of the pod template; the engine turns them into an RFC 6902 JSON Patch against the workload
// object (ToJsonPatch), which reports carry in a result's properties. Pure, like the engine.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/policy/object_view.h"
#include "csp/policy/pod_spec.h"

namespace csp::policy {

// One edit, its path the keys (array indices as decimal strings) from the pod template: the
// object holding `metadata` and `spec` (the Pod itself, a Deployment's spec.template, ...).
struct FixEdit {
  enum class Kind {
    kSet,     // set the value at path, adding every missing parent object on the way
    kRemove,  // remove the member or array element at path (it exists)
    kAppend,  // append value to the array at path, adding the array (and its parents) if missing
  };
  Kind kind = Kind::kSet;
  std::vector<std::string> path = {};
  nlohmann::json value = {};
};

// A control's fix for one failing result: edits that make the result pass, or, when none are
// safe and mechanical, the reason (then `edits` is empty). All or nothing: a fix never covers
// only some violations, so a patch always makes its rule pass.
struct Fix {
  std::vector<FixEdit> edits = {};
  std::string none = {};  // why there is no fix, e.g. "runAsUser is 0: choose a non-root UID"
};

inline Fix NoFix(std::string reason) { return Fix{.edits = {}, .none = std::move(reason)}; }

// Report properties of a failing result (docs/api.md "Result properties").
inline constexpr std::string_view kFixProperty = "fix";      // "patch", "none (...)", ...
inline constexpr std::string_view kPatchProperty = "patch";  // the JSON Patch, compact JSON
inline constexpr std::string_view kFixPatch = "patch";
// A patch's JSON text longer than this is left out of the properties (reports stay small;
// `cspctl fix` still has it): `fix` then says "patch omitted (N bytes, over the 2048-byte
// bound)".
inline constexpr std::size_t kMaxPatchPropertyBytes = 2048;

// Paths a control's fix starts from.
// {"spec", "containers", "<i>"}: `c`'s place in its list (init, regular or ephemeral).
std::vector<std::string> ContainerPath(const PodSpec& pod, const Container& c);
// {"spec", "containers", "<i>", "securityContext"}, or {"spec", "securityContext"} for null.
std::vector<std::string> SecurityContextPath(const PodSpec& pod, const Container* c);
// `base` + `more`.
std::vector<std::string> Join(std::vector<std::string> base,
                              std::initializer_list<std::string_view> more);

// The containers a finding names (Finding::containers), each once, in pod order.
std::vector<const Container*> NamedContainers(const PodSpec& pod,
                                              const std::vector<std::string>& names);

// Edits that make the profile field `field` ("seccompProfile", "appArmorProfile") of the
// security context at `sc_path` RuntimeDefault: its type, and its localhostProfile removed
// when `current` has one.
void SetRuntimeDefault(const std::vector<std::string>& sc_path, std::string_view field,
                       const std::optional<Profile>& current, std::vector<FixEdit>& edits);

// The JSON Pointer (RFC 6901) of the pod template in a workload whose pod spec is at
// `pod_spec_path` ("spec.template.spec" -> "/spec/template"; "spec" -> ""), or nullopt when
// the path does not end in a template's `spec`.
std::optional<std::string> TemplatePointer(std::string_view pod_spec_path);

// RFC 6901 escaping of one reference token: `~` -> `~0`, `/` -> `~1`.
std::string EscapePointerToken(std::string_view token);

// The JSON Patch (an array of operations) that performs `edits` on `workload`, whose pod
// template is at `template_pointer`. Against the object as it is: `add` for what is missing
// (one `add` of {} per missing parent object, then the value), `replace` for what is there,
// `remove` as asked. Identical operations are emitted once; removals of elements of one array
// come last and in descending index order, so that each index still names its element.
nlohmann::json ToJsonPatch(const nlohmann::json& workload, const std::string& template_pointer,
                           const std::vector<FixEdit>& edits);
// The same through a view of the object; nullopt when the view cannot tell what the patch needs
// (ObjectView::Equals).
std::optional<nlohmann::json> ToJsonPatch(const ObjectView& workload,
                                          const std::string& template_pointer,
                                          const std::vector<FixEdit>& edits);

}  // namespace csp::policy
