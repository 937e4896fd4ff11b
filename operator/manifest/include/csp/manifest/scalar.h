// Typing of YAML scalars, the way `kubectl` sees a manifest.
//
// kubectl and the API machinery convert YAML to JSON with sigs.k8s.io/yaml, which decodes with
// go-yaml v2 (a YAML 1.1 resolver) and then converts the result to JSON. This file reproduces
// that, so that the scanner judges the same values the cluster would store:
//
//   plain `~`, `null`, `Null`, `NULL`, empty             -> null
//   plain `true`/`false` in 3 cases, and the YAML 1.1 words `y Y yes Yes YES on On ON`
//         (true) and `n N no No NO off Off OFF` (false)  -> bool   (`privileged: yes` is true!)
//   plain integers, `_` ignored, Go base-0 syntax: sign, `0x`, `0o`, `0b`, and a leading `0`
//         for octal (`0777` is 511)                       -> int64, uint64 above INT64_MAX
//   plain floats `1.5`, `-2e3`, `.5`                      -> double; integral values become
//         integers (1.0 -> 1), as the JSON conversion prints them; integers beyond uint64 become
//         doubles
//   `.inf`, `-.inf`, `.nan` (and their case variants)     -> error: JSON cannot hold them and
//         kubectl refuses them too
//   everything else (timestamps too)                      -> string
//   quoted and block scalars (`'x'`, `"x"`, `|`, `>`)      -> string
//   explicit tags `!!str !!int !!float !!bool !!null` force the type or fail ("cannot decode
//         !!str `abc` as a !!int"); `!` and `!!str` force a string; `!!binary`, `!!timestamp`
//         and unknown or local tags (`!foo`) keep the text as a string.
//
// Mapping keys become JSON object keys, converted to strings as sigs.k8s.io/yaml does: an integer
// key prints in decimal (`0x10:` is "16"), a bool key as "true"/"false" (`on:` is "true"), a
// float key in Go's shortest %g form; a null key is an error. `<<` (plain, or tagged !!merge) is
// the merge key.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::manifest {

// Plain scalars are resolved to a type; every other style (quoted, literal, folded) is a string.
enum class ScalarStyle { kPlain, kQuoted };

// `tag` is the tag as libyaml reports it: empty when the scalar has none, else the full form
// ("tag:yaml.org,2002:int" for `!!int`, "!" for the non-specific tag, "!foo" for a local tag).
// On success `out` holds the value. The error message names the scalar but not its location.
Status ResolveScalar(std::string_view text, ScalarStyle style, std::string_view tag,
                     nlohmann::json& out);

// Resolves a mapping key to the JSON object key it becomes. `is_merge` is set for the merge key.
Status ResolveKey(std::string_view text, ScalarStyle style, std::string_view tag, std::string& out,
                  bool& is_merge);

// True when an untagged plain scalar (value or key) resolves to the string of its own text, as
// most do; false for nulls, bools, numbers, `.inf` and the like (ResolveScalar says which). Cheap:
// no allocation in the common case.
bool IsPlainString(std::string_view text);

// The JSON object key for an already built scalar value (a key that is an alias to a scalar
// anchor). Fails for null and for containers.
Status KeyFromValue(const nlohmann::json& value, std::string& out);

}  // namespace csp::manifest
