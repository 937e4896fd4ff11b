// CEL text for the ValidatingAdmissionPolicy the operator generates (docs/admission.md
// "ValidatingAdmissionPolicy"). A control that CEL can express exactly builds, from its settings,
// a CelCheck: a bool that holds when the rule passes, which the API server evaluates for every
// request, and a list(string) of violations (one per offending container or volume) that it
// evaluates only for the message of a failing request. The expressions run in the API server with
// Kubernetes' CEL libraries (optionals, strings, lists incl. lists.range and flatten, regex), over
// the variables below, which the generator (controllers/validating_admission_policy.h) defines.
// Pure string building.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace csp::policy::cel {

// Variables every control expression may read:
//   variables.spec             the pod spec (dyn)
//   variables.podSc            spec.securityContext, {} when unset
//   variables.annotations      the pod (template) annotations, {} when unset
//   variables.containers       init, regular and ephemeral containers, in that order
//   variables.containerLabels  `container "app"`, `initContainer "setup"`, ... by index
inline constexpr std::string_view kSpec = "variables.spec";
inline constexpr std::string_view kPodSc = "variables.podSc";
inline constexpr std::string_view kAnnotations = "variables.annotations";

struct CelCheck {
  std::string passes = {};      // bool
  std::string violations = {};  // list(string), empty exactly when `passes` holds
};

// A CEL string literal: 'text', with \ and ' escaped.
std::string Quote(std::string_view text);
// A CEL list of string literals: ['a', 'b'].
std::string QuoteList(std::span<const std::string> items);
// `body` with `name` bound to `value` (CEL in Kubernetes has no cel.bind): [value].map(name,
// body)[0].
std::string Let(std::string_view name, std::string_view value, std::string_view body);
// The violations of a per-container rule: `problem` is a string expression over the container
// `c` ("" when nothing is wrong); each problem becomes `<container label>: <problem>`.
std::string EachContainer(std::string_view problem);
// The check of a per-container rule: every container's problem is "", and EachContainer.
CelCheck EachContainerCheck(std::string_view problem);
// The check of a rule whose violations are `list`: it is empty.
CelCheck ListCheck(std::string list);
// An RE2 pattern, anchored, that matches what GlobMatch(glob, text) matches (`*` only).
std::string GlobRegex(std::string_view glob);
// The normalized form (NormalizePath) of the absolute path `path_expr`: empty and `.` segments
// dropped. `..` segments are left alone: the API server refuses a hostPath holding one before
// any admission runs (ValidatePodSpec: "must not contain '..'").
std::string NormalizedAbsolutePath(std::string_view path_expr);
// PathHasPrefix(path, prefix) for a normalized absolute `path_expr` and a normalized prefix
// known when the expression is generated.
std::string PathHasPrefix(std::string_view path_expr, std::string_view prefix);
// The same with both sides expressions.
std::string PathHasPrefixExpr(std::string_view path_expr, std::string_view prefix_expr);
// NormalizeCapability(name_expr).
std::string NormalizedCapability(std::string_view name_expr);

}  // namespace csp::policy::cel
